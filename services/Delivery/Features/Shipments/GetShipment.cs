using Dapper;
using Mediator;
using Npgsql;

namespace EcommerceEda.Delivery.Features.Shipments;

/// <summary>A shipment as the API shows it.</summary>
public sealed record Shipment(Guid ShipmentId, Guid OrderId, string Status, string Carrier, string TrackingNumber, string? FailureReason);

/// <summary>The shipment of an order.</summary>
public sealed record GetShipment(Guid OrderId) : IQuery<Shipment?>;

public sealed class GetShipmentHandler(NpgsqlDataSource db) : IQueryHandler<GetShipment, Shipment?>
{
    private const string Sql = """
        SELECT shipment_id AS ShipmentId, order_id AS OrderId, status AS Status, carrier AS Carrier,
               tracking_number AS TrackingNumber, failure_reason AS FailureReason
        FROM shipments WHERE order_id = @OrderId
        """;

    public async ValueTask<Shipment?> Handle(GetShipment query, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Shipment>(new CommandDefinition(Sql, query, cancellationToken: cancellationToken));
    }
}
