using Dapper;
using Mediator;
using Npgsql;

namespace EcommerceEda.Delivery.Features.Shipments;

/// <summary>
/// The courier of demos and load tests: reports each shipment in transit delivered once it is due, or failed
/// for a share of them (<c>Delivery:Simulator:FailureRate</c>, 0 by default) to show compensation.
/// </summary>
public static class DeliverySimulation
{
    private const string DueSql = """
        SELECT shipment_id FROM shipments WHERE status = 'InTransit' AND created_at <= @Due ORDER BY created_at LIMIT 100
        """;

    public static async Task ReportDueShipmentsAsync(IServiceProvider services, DateTimeOffset due, CancellationToken cancellationToken)
    {
        var failureRate = services.GetRequiredService<IConfiguration>().GetValue("Delivery:Simulator:FailureRate", 0.0);
        List<Guid> shipments;
        await using (var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken))
        {
            shipments = (await connection.QueryAsync<Guid>(new CommandDefinition(DueSql, new { Due = due }, cancellationToken: cancellationToken))).AsList();
        }

        var mediator = services.GetRequiredService<IMediator>();
        foreach (var shipment in shipments)
        {
            var fails = Random.Shared.NextDouble() < failureRate;
            await mediator.Send(new ReportDelivery(shipment, Delivered: !fails, fails ? "simulated: nobody home" : null), cancellationToken);
        }
    }
}
