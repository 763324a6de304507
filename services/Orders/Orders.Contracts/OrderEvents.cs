using EcommerceEda.Messaging;
using MassTransit;

namespace EcommerceEda.Orders.Contracts;

/// <summary>Why an order was cancelled.</summary>
public enum CancellationReason
{
    OutOfStock,
    PickTimeout,
    DeliveryFailed,
    CustomerCancelled,
}

/// <summary>An order will not be fulfilled; its reserved stock, if any, is released.</summary>
[MessageUrn("orders:order-cancelled:v1")]
public sealed record OrderCancelled(EventMetadata Metadata, Guid OrderId, CancellationReason Reason, string? Detail) : IEvent;

/// <summary>An order was delivered: fulfillment is complete.</summary>
[MessageUrn("orders:order-completed:v1")]
public sealed record OrderCompleted(EventMetadata Metadata, Guid OrderId) : IEvent;

/// <summary>A returned order was refunded.</summary>
[MessageUrn("orders:order-refunded:v1")]
public sealed record OrderRefunded(EventMetadata Metadata, Guid OrderId, Guid ReturnId, decimal Amount, string Currency) : IEvent;
