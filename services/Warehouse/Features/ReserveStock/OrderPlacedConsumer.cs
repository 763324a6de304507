using Dapper;
using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Orders.Contracts;
using MassTransit;

namespace EcommerceEda.Warehouse.Features.ReserveStock;

/// <summary>
/// Reserves the stock of a placed order, all lines or none. The stock rows are locked in SKU order, so
/// concurrent orders never deadlock and never oversell; an order that cannot be served is recorded with
/// what it lacks. The order is reserved once even if it arrives again under another message id: the
/// reservation row is the business key, and a second one inserts nothing.
/// </summary>
public sealed class OrderPlacedConsumer(TimeProvider clock) : IConsumer<OrderPlaced>
{
    private const string LockSql = """
        SELECT sku AS Sku, on_hand AS OnHand, reserved AS Reserved
        FROM stock WHERE sku = ANY(@Skus) ORDER BY sku FOR UPDATE
        """;

    private const string ReserveSql = """
        UPDATE stock SET reserved = stock.reserved + r.quantity, updated_at = @At
        FROM unnest(@Skus, @Quantities) AS r(sku, quantity)
        WHERE stock.sku = r.sku
        """;

    private const string RecordSql = """
        INSERT INTO reservations (order_id, status, lines, shortfalls, created_at)
        VALUES (@OrderId, @Status, @Lines::jsonb, @Shortfalls::jsonb, @At)
        ON CONFLICT (order_id) DO NOTHING
        """;

    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        var tx = context.Transaction();
        var order = context.Message;
        var requested = Reservation.PerSku(order.Lines.Select(l => new RequestedStock(l.Sku, l.Quantity)));
        var skus = requested.Select(r => r.Sku).ToArray();
        var now = clock.GetUtcNow();

        var stock = await tx.Connection.QueryAsync<StockLevel>(new CommandDefinition(
            LockSql, new { Skus = skus }, tx.Transaction, cancellationToken: context.CancellationToken));
        var shortfalls = Reservation.Shortfalls(requested, stock);
        var recorded = await tx.Connection.ExecuteAsync(new CommandDefinition(RecordSql, new
        {
            order.OrderId,
            Status = shortfalls.Count == 0 ? "Reserved" : "Failed",
            Lines = WarehouseJson.Serialize(requested),
            Shortfalls = shortfalls.Count == 0 ? null : WarehouseJson.Serialize(shortfalls),
            At = now,
        }, tx.Transaction, cancellationToken: context.CancellationToken));
        if (recorded == 1 && shortfalls.Count == 0)
        {
            await tx.Connection.ExecuteAsync(new CommandDefinition(
                ReserveSql,
                new { Skus = skus, Quantities = requested.Select(r => r.Quantity).ToArray(), At = now },
                tx.Transaction,
                cancellationToken: context.CancellationToken));
        }
    }
}
