using MassTransit;

namespace EcommerceEda.Orders.Fulfillment;

/// <summary>The pick SLA of an order ran out: a durable timer the saga set, published through the outbox at its time.</summary>
[MessageUrn("orders:pick-deadline-passed:v1")]
public sealed record PickDeadlinePassed(Guid OrderId, Guid TaskToken);

/// <summary>The customer asked to cancel the order; the saga decides whether it still can.</summary>
[MessageUrn("orders:cancel-order:v1")]
public sealed record CancelOrder(Guid OrderId);

/// <summary>Settings of fulfillment (configuration section <c>Orders:Fulfillment</c>).</summary>
public sealed class FulfillmentOptions
{
    /// <summary>How long Warehouse has to pick a reserved order before it is cancelled and its stock released.</summary>
    public TimeSpan PickTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
