using EcommerceEda.Delivery.Contracts;
using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Orders.Contracts;
using EcommerceEda.Support.Contracts;
using EcommerceEda.Warehouse.Contracts;
using MassTransit;

namespace EcommerceEda.Orders.Fulfillment;

/// <summary>
/// What the saga does on each step: move the order (its status and history), and send or publish through
/// the outbox in the transaction that also stores the saga's new state.
/// </summary>
internal sealed class FulfillmentSteps(EventSource events, TimeProvider clock, FulfillmentOptions options)
{
    public static Task ReserveStockAsync(BehaviorContext<OrderState, OrderPlaced> c) =>
        c.Transaction().SendAsync(new ReserveStock(c.Saga.CorrelationId, Lines(c.Saga)), c.CancellationToken);

    /// <summary>Wait for a callback: Warehouse turns the command into a pick task with this token, and a timer bounds the wait.</summary>
    public async Task PickAsync(BehaviorContext<OrderState, StockReserved> c)
    {
        c.Saga.StockHeld = true;
        c.Saga.PickTaskToken = Guid.NewGuid();
        var tx = c.Transaction();
        await OrderRecord.MoveAsync(c, c.Saga.CorrelationId, OrderStatus.StockReserved, c.Message.Metadata.OccurredAt);
        await tx.SendAsync(new PickOrder(c.Saga.CorrelationId, c.Saga.PickTaskToken.Value, Lines(c.Saga)), c.CancellationToken);
        c.Saga.PickDeadline = await tx.ScheduleAsync(
            new PickDeadlinePassed(c.Saga.CorrelationId, c.Saga.PickTaskToken.Value), clock.GetUtcNow() + options.PickTimeout, c.CancellationToken);
    }

    /// <summary>The pick's timer fired: nothing is left to cancel.</summary>
    public static void PickDeadlineFired(BehaviorContext<OrderState, PickDeadlinePassed> c) => c.Saga.PickDeadline = null;

    /// <summary>Run a job: Delivery ships the order and reports how it ended.</summary>
    public static async Task ShipAsync(BehaviorContext<OrderState, OrderPicked> c)
    {
        await StopPickTimerAsync(c);
        await OrderRecord.MoveAsync(c, c.Saga.CorrelationId, OrderStatus.Picked, c.Message.Metadata.OccurredAt);
        var address = c.Saga.ShippingAddress!;
        await c.Transaction().SendAsync(
            new ShipOrder(c.Saga.CorrelationId, new Destination(address.Line1, address.City, address.PostalCode, address.Country)),
            c.CancellationToken);
    }

    public static Task ShippedAsync(BehaviorContext<OrderState, OrderShipped> c)
    {
        c.Saga.ShipmentRecorded = true;
        return OrderRecord.MoveAsync(
            c, c.Saga.CorrelationId, OrderStatus.Shipped, c.Message.Metadata.OccurredAt, $"{c.Message.Carrier} {c.Message.TrackingNumber}");
    }

    public static Task ShippedLateAsync(BehaviorContext<OrderState, OrderShipped> c)
    {
        c.Saga.ShipmentRecorded = true;
        return OrderRecord.RecordAsync(c, c.Saga.CorrelationId, OrderStatus.Shipped, c.Message.Metadata.OccurredAt);
    }

    public async Task DeliveredAsync(BehaviorContext<OrderState, OrderDelivered> c)
    {
        await OrderRecord.MoveAsync(c, c.Saga.CorrelationId, OrderStatus.Delivered, c.Message.Metadata.OccurredAt);
        await c.Transaction().PublishAsync(
            new OrderCompleted(events.Metadata($"orders/{c.Saga.CorrelationId}/completed"), c.Saga.CorrelationId), c.CancellationToken);
    }

    /// <summary>Cancel, and compensate: what Warehouse holds for the order is released.</summary>
    public async Task CancelAsync<T>(BehaviorContext<OrderState, T> c, CancellationReason reason, string? detail = null)
        where T : class
    {
        var cancelled = new OrderCancelled(events.Metadata($"orders/{c.Saga.CorrelationId}/cancelled"), c.Saga.CorrelationId, reason, detail);
        var tx = c.Transaction();
        await StopPickTimerAsync(c);
        await OrderRecord.MoveAsync(c, c.Saga.CorrelationId, OrderStatus.Cancelled, cancelled.Metadata.OccurredAt, reason.ToString());
        if (c.Saga.StockHeld)
        {
            await tx.SendAsync(new ReleaseStock(c.Saga.CorrelationId, reason.ToString()), c.CancellationToken);
            c.Saga.StockHeld = false;
        }

        await tx.PublishAsync(cancelled, c.CancellationToken);
    }

    public static Task ReleaseLateReservationAsync(BehaviorContext<OrderState, StockReserved> c) =>
        c.Transaction().SendAsync(new ReleaseStock(c.Saga.CorrelationId, "reserved after the order was cancelled"), c.CancellationToken);

    public async Task RefundAsync(BehaviorContext<OrderState, ReturnReceived> c)
    {
        await OrderRecord.MoveAsync(c, c.Saga.CorrelationId, OrderStatus.Refunded, c.Message.Metadata.OccurredAt);
        await c.Transaction().PublishAsync(
            new OrderRefunded(
                events.Metadata($"orders/{c.Saga.CorrelationId}/refunded"), c.Saga.CorrelationId, c.Message.ReturnId, c.Saga.Total, c.Saga.Currency),
            c.CancellationToken);
    }

    // The pick is over, done or no longer wanted: its timer would only be a message to ignore when it fires.
    private static async Task StopPickTimerAsync(BehaviorContext<OrderState> c)
    {
        if (c.Saga.PickDeadline is { } timer)
        {
            await c.Transaction().UnscheduleAsync(timer, c.CancellationToken);
            c.Saga.PickDeadline = null;
        }
    }

    private static List<StockLine> Lines(OrderState saga) => [.. saga.Lines.Select(l => new StockLine(l.Sku, l.Quantity))];
}

/// <summary>What the saga keeps of a placed order.</summary>
internal static class OrderStateExtensions
{
    public static void Remember(this OrderState saga, OrderPlaced placed)
    {
        saga.CustomerId = placed.CustomerId;
        saga.Currency = placed.Currency;
        saga.Total = placed.Total;
        saga.Lines = [.. placed.Lines];
        saga.ShippingAddress = placed.ShippingAddress;
    }
}
