using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Warehouse.Contracts;
using EcommerceEda.Warehouse.Features.ReserveStock;
using MassTransit;

namespace EcommerceEda.Warehouse.Features.ReleaseStock;

/// <summary>
/// Compensation for a cancelled order: reserved units become available again, picked units go back on the
/// shelves, and a pick not yet done is cancelled. Releasing twice, or an order that reserved nothing,
/// changes nothing.
/// </summary>
public sealed class ReleaseStockConsumer(EventSource events, TimeProvider clock) : IConsumer<Contracts.ReleaseStock>
{
    private const string ReservationSql = """
        SELECT status AS Status, lines::text AS Lines FROM reservations WHERE order_id = @OrderId FOR UPDATE
        """;

    private const string ReleasedSql = """
        UPDATE reservations SET status = 'Released', updated_at = @At WHERE order_id = @OrderId;
        UPDATE pick_tasks SET status = 'Cancelled' WHERE order_id = @OrderId AND status = 'Pending';
        """;

    public async Task Consume(ConsumeContext<Contracts.ReleaseStock> context)
    {
        var tx = context.Transaction();
        var orderId = context.Message.OrderId;
        var now = clock.GetUtcNow();
        var reservation = await tx.QuerySingleOrDefaultAsync<Reservation>(ReservationSql, new { OrderId = orderId }, context.CancellationToken);
        var movement = reservation?.Status switch
        {
            ReservationStatus.Reserved => StockMovements.Unreserve,
            ReservationStatus.Picked => StockMovements.PutBack,
            _ => null, // failed, already released, or never reserved
        };
        if (movement is null)
        {
            return;
        }

        await StockMovements.ApplyAsync(tx, movement, WarehouseJson.Deserialize<List<RequestedStock>>(reservation!.Lines), now, context.CancellationToken);
        await tx.ExecuteAsync(ReleasedSql, new { OrderId = orderId, At = now }, context.CancellationToken);
        await tx.PublishAsync(new StockReleased(events.Metadata($"warehouse/{orderId}/released"), orderId), context.CancellationToken);
    }

    private sealed record Reservation(string Status, string Lines);
}
