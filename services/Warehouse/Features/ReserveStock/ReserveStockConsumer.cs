using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Warehouse.Contracts;
using MassTransit;

namespace EcommerceEda.Warehouse.Features.ReserveStock;

/// <summary>
/// Reserves every line of an order or none (Step Functions' request-response: the saga waits for
/// <see cref="StockReserved"/> or <see cref="StockReservationFailed"/>). Stock rows are locked in SKU order,
/// so concurrent orders never deadlock and never oversell. An order is reserved once, even if the command
/// arrives again under another message id: the reservation row is its business key.
/// </summary>
public sealed class ReserveStockConsumer(EventSource events, TimeProvider clock) : IConsumer<Contracts.ReserveStock>
{
    private const string LockSql = """
        SELECT sku AS Sku, on_hand AS OnHand, reserved AS Reserved
        FROM stock WHERE sku = ANY(@Skus) ORDER BY sku FOR UPDATE
        """;

    private const string RecordSql = """
        INSERT INTO reservations (order_id, status, lines, shortfalls, created_at)
        VALUES (@OrderId, @Status, @Lines::jsonb, @Shortfalls::jsonb, @At)
        ON CONFLICT (order_id) DO NOTHING
        """;

    private const string ReserveSql = """
        UPDATE stock SET reserved = stock.reserved + r.quantity, updated_at = @At
        FROM unnest(@Skus, @Quantities) AS r(sku, quantity)
        WHERE stock.sku = r.sku
        """;

    public async Task Consume(ConsumeContext<Contracts.ReserveStock> context)
    {
        var tx = context.Transaction();
        var command = context.Message;
        var requested = Reservation.PerSku(command.Lines.Select(l => new RequestedStock(l.Sku, l.Quantity)));
        var skus = requested.Select(r => r.Sku).ToArray();
        var now = clock.GetUtcNow();

        var stock = await tx.QueryAsync<StockLevel>(LockSql, new { Skus = skus }, context.CancellationToken);
        var shortfalls = Reservation.Shortfalls(requested, stock);
        var recorded = await tx.ExecuteAsync(RecordSql, new
        {
            command.OrderId,
            Status = shortfalls.Count == 0 ? ReservationStatus.Reserved : ReservationStatus.Failed,
            Lines = WarehouseJson.Serialize(requested),
            Shortfalls = shortfalls.Count == 0 ? null : WarehouseJson.Serialize(shortfalls),
            At = now,
        }, context.CancellationToken);
        if (recorded == 0)
        {
            return; // answered when it was first reserved
        }

        if (shortfalls.Count > 0)
        {
            await tx.PublishAsync(
                new StockReservationFailed(
                    events.Metadata($"warehouse/{command.OrderId}/reservation-failed"),
                    command.OrderId,
                    [.. shortfalls.Select(s => new StockShortfall(s.Sku, s.Requested, s.Available))]),
                context.CancellationToken);
            return;
        }

        await tx.PublishAsync(
            new StockReserved(events.Metadata($"warehouse/{command.OrderId}/stock-reserved"), command.OrderId),
            context.CancellationToken); // its outbox row goes with the stock's update: one round trip
        await tx.ExecuteAsync(
            ReserveSql, new { Skus = skus, Quantities = requested.Select(r => r.Quantity).ToArray(), At = now }, context.CancellationToken);
    }
}

/// <summary>The states of a reservation, as stored.</summary>
public static class ReservationStatus
{
    public const string Reserved = nameof(Reserved);
    public const string Failed = nameof(Failed);
    public const string Picked = nameof(Picked);
    public const string Released = nameof(Released);
}
