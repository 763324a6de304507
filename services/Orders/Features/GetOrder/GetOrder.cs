using Dapper;
using Mediator;
using Npgsql;

namespace EcommerceEda.Orders.Features.GetOrder;

/// <summary>One order with its lines and the history of its statuses.</summary>
public sealed record GetOrder(Guid OrderId) : IQuery<OrderDetails?>;

public sealed record OrderDetails(
    Guid OrderId,
    string CustomerId,
    OrderStatus Status,
    string Currency,
    decimal Total,
    IReadOnlyList<OrderDetailsLine> Lines,
    IReadOnlyList<OrderHistoryEntry> History);

public sealed record OrderDetailsLine(string Sku, int Quantity, decimal UnitPrice);

public sealed record OrderHistoryEntry(OrderStatus Status, DateTimeOffset At, string? Reason);

public sealed class GetOrderHandler(NpgsqlDataSource db) : IQueryHandler<GetOrder, OrderDetails?>
{
    private const string Sql = """
        SELECT order_id AS OrderId, customer_id AS CustomerId, status AS Status, currency AS Currency,
               total AS Total, lines::text AS Lines
        FROM orders WHERE order_id = @OrderId;
        SELECT status AS Status, at AS At, reason AS Reason
        FROM order_history WHERE order_id = @OrderId ORDER BY at, seq; -- news can arrive out of order
        """;

    public async ValueTask<OrderDetails?> Handle(GetOrder query, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(
            new CommandDefinition(Sql, query, cancellationToken: cancellationToken));
        var order = await results.ReadSingleOrDefaultAsync<OrderRow>();
        if (order is null)
        {
            return null;
        }

        var history = (await results.ReadAsync<HistoryRow>()).Select(h => h.ToEntry()).ToList();
        return new OrderDetails(
            order.OrderId,
            order.CustomerId,
            Enum.Parse<OrderStatus>(order.Status),
            order.Currency,
            order.Total,
            OrderJson.Deserialize<List<OrderDetailsLine>>(order.Lines),
            history);
    }

    private sealed record OrderRow(Guid OrderId, string CustomerId, string Status, string Currency, decimal Total, string Lines);

    private sealed record HistoryRow(string Status, DateTime At, string? Reason)
    {
        public OrderHistoryEntry ToEntry() => new(Enum.Parse<OrderStatus>(Status), new DateTimeOffset(At, TimeSpan.Zero), Reason);
    }
}
