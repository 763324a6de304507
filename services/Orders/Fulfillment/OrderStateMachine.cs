using EcommerceEda.Delivery.Contracts;
using EcommerceEda.Messaging;
using EcommerceEda.Orders.Contracts;
using EcommerceEda.Support.Contracts;
using EcommerceEda.Warehouse.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace EcommerceEda.Orders.Fulfillment;

/// <summary>
/// Orchestrates one order's fulfillment, after Step Functions' three integration patterns:
/// <see cref="ReserveStock"/> is request-response, <see cref="PickOrder"/> waits for a callback carrying its
/// task token (with an SLA timer), <see cref="ShipOrder"/> runs a job until it is delivered or fails. Any
/// cancellation before shipping releases what Warehouse holds. Everything it sends goes through the outbox,
/// in the transaction that stores its new state. Events that do not apply in the current state (a duplicate,
/// a late one) are ignored; news that arrives out of order is still recorded, so the order ends the same.
/// </summary>
public sealed class OrderStateMachine : MassTransitStateMachine<OrderState>
{
    public OrderStateMachine(EventSource events, TimeProvider clock, IOptions<FulfillmentOptions> options)
    {
        InstanceState(x => x.CurrentState);
        Event(() => OrderPlaced, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => CancelRequested, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => StockReserved, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => ReservationFailed, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => OrderPicked, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => PickDeadlinePassed, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => OrderShipped, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => OrderDelivered, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => DeliveryFailed, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => ReturnRequested, e => e.CorrelateById(c => c.Message.OrderId));
        Event(() => ReturnReceived, e => e.CorrelateById(c => c.Message.OrderId));
        OnUnhandledEvent(context => context.Ignore());

        var fulfillment = new FulfillmentSteps(events, clock, options.Value);

        Initially(
            When(OrderPlaced)
                .Then(c => c.Saga.Remember(c.Message))
                .ThenAsync(FulfillmentSteps.ReserveStockAsync)
                .TransitionTo(Placed),
            When(CancelRequested) // before the order's own OrderPlaced reached the saga
                .ThenAsync(c => fulfillment.CancelAsync(c, CancellationReason.CustomerCancelled))
                .TransitionTo(Cancelled));

        During(Placed,
            When(StockReserved)
                .ThenAsync(fulfillment.PickAsync)
                .TransitionTo(Reserved),
            When(ReservationFailed)
                .ThenAsync(c => fulfillment.CancelAsync(c, CancellationReason.OutOfStock, Shortfalls(c.Message)))
                .TransitionTo(Cancelled),
            When(CancelRequested)
                .ThenAsync(c => fulfillment.CancelAsync(c, CancellationReason.CustomerCancelled))
                .TransitionTo(Cancelled));

        During(Reserved,
            When(OrderPicked, c => c.Message.TaskToken == c.Saga.PickTaskToken)
                .ThenAsync(FulfillmentSteps.ShipAsync)
                .TransitionTo(Picked),
            When(PickDeadlinePassed, c => c.Message.TaskToken == c.Saga.PickTaskToken)
                .Then(FulfillmentSteps.PickDeadlineFired)
                .ThenAsync(c => fulfillment.CancelAsync(c, CancellationReason.PickTimeout))
                .TransitionTo(Cancelled),
            When(CancelRequested)
                .ThenAsync(c => fulfillment.CancelAsync(c, CancellationReason.CustomerCancelled))
                .TransitionTo(Cancelled));

        During(Picked,
            When(OrderShipped)
                .ThenAsync(FulfillmentSteps.ShippedAsync)
                .TransitionTo(Shipped),
            When(OrderDelivered) // before its OrderShipped
                .ThenAsync(fulfillment.DeliveredAsync)
                .TransitionTo(Delivered),
            When(DeliveryFailed)
                .ThenAsync(c => fulfillment.CancelAsync(c, CancellationReason.DeliveryFailed, c.Message.Reason))
                .TransitionTo(Cancelled),
            When(CancelRequested)
                .ThenAsync(c => fulfillment.CancelAsync(c, CancellationReason.CustomerCancelled))
                .TransitionTo(Cancelled));

        During(Shipped,
            When(OrderDelivered)
                .ThenAsync(fulfillment.DeliveredAsync)
                .TransitionTo(Delivered),
            When(DeliveryFailed)
                .ThenAsync(c => fulfillment.CancelAsync(c, CancellationReason.DeliveryFailed, c.Message.Reason))
                .TransitionTo(Cancelled));

        During(Delivered, Returning, Refunded,
            When(OrderShipped, c => !c.Saga.ShipmentRecorded) // late news: history only
                .ThenAsync(FulfillmentSteps.ShippedLateAsync));

        During(Delivered,
            When(ReturnRequested)
                .ThenAsync(c => OrderRecord.MoveAsync(c, c.Saga.CorrelationId, OrderStatus.ReturnRequested, c.Message.Metadata.OccurredAt))
                .TransitionTo(Returning),
            When(ReturnReceived) // before its ReturnRequested
                .ThenAsync(c => OrderRecord.RecordAsync(c, c.Saga.CorrelationId, OrderStatus.ReturnRequested, c.Message.Metadata.OccurredAt))
                .ThenAsync(fulfillment.RefundAsync)
                .TransitionTo(Refunded));

        During(Returning,
            When(ReturnReceived)
                .ThenAsync(fulfillment.RefundAsync)
                .TransitionTo(Refunded));

        During(Cancelled,
            When(StockReserved) // reserved after the order was cancelled: give it back
                .ThenAsync(FulfillmentSteps.ReleaseLateReservationAsync));
    }

    public State Placed { get; private set; } = null!;

    public State Reserved { get; private set; } = null!;

    public State Picked { get; private set; } = null!;

    public State Shipped { get; private set; } = null!;

    public State Delivered { get; private set; } = null!;

    public State Cancelled { get; private set; } = null!;

    public State Returning { get; private set; } = null!;

    public State Refunded { get; private set; } = null!;

    public Event<OrderPlaced> OrderPlaced { get; private set; } = null!;

    public Event<CancelOrder> CancelRequested { get; private set; } = null!;

    public Event<StockReserved> StockReserved { get; private set; } = null!;

    public Event<StockReservationFailed> ReservationFailed { get; private set; } = null!;

    public Event<OrderPicked> OrderPicked { get; private set; } = null!;

    public Event<PickDeadlinePassed> PickDeadlinePassed { get; private set; } = null!;

    public Event<OrderShipped> OrderShipped { get; private set; } = null!;

    public Event<OrderDelivered> OrderDelivered { get; private set; } = null!;

    public Event<DeliveryFailed> DeliveryFailed { get; private set; } = null!;

    public Event<ReturnRequested> ReturnRequested { get; private set; } = null!;

    public Event<ReturnReceived> ReturnReceived { get; private set; } = null!;

    private static string Shortfalls(StockReservationFailed failed) =>
        string.Join(", ", failed.Shortfalls.Select(s => $"{s.Sku}: {s.Requested} requested, {s.Available} available"));
}
