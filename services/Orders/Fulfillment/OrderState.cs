using EcommerceEda.Messaging.Sagas;
using EcommerceEda.Orders.Contracts;
using MassTransit;

namespace EcommerceEda.Orders.Fulfillment;

/// <summary>One order's fulfillment: where it is, and what the saga must remember to go on or to compensate.</summary>
public sealed class OrderState : SagaStateMachineInstance, ISagaVersion, IStatefulSaga
{
    /// <summary>The order id.</summary>
    public Guid CorrelationId { get; set; }

    public int Version { get; set; }

    public string? CurrentState { get; set; }

    public string CustomerId { get; set; } = "";

    public string Currency { get; set; } = "";

    public decimal Total { get; set; }

    public List<OrderLine> Lines { get; set; } = [];

    public ShippingAddress? ShippingAddress { get; set; }

    /// <summary>Warehouse holds stock for the order: cancelling must release it.</summary>
    public bool StockHeld { get; set; }

    /// <summary>The token of the pick task the saga waits on.</summary>
    public Guid? PickTaskToken { get; set; }

    /// <summary>The pick's SLA timer (its outbox message) while it may still fire: a pick done in time, or the order's cancellation, cancels it.</summary>
    public Guid? PickDeadline { get; set; }

    /// <summary>Delivery reported the order shipped (it may do so after reporting it delivered).</summary>
    public bool ShipmentRecorded { get; set; }
}
