using EcommerceEda.Messaging;
using MassTransit;

namespace EcommerceEda.Delivery.Contracts;

/// <summary>Where a shipment goes.</summary>
public sealed record Destination(string Line1, string City, string PostalCode, string Country);

/// <summary>Command (a job): ship a picked order. It runs until <see cref="OrderDelivered"/> or <see cref="DeliveryFailed"/>.</summary>
[MessageUrn("delivery:ship-order:v1")]
public sealed record ShipOrder(Guid OrderId, Destination Destination);

/// <summary>A courier took the order.</summary>
[MessageUrn("delivery:order-shipped:v1")]
public sealed record OrderShipped(EventMetadata Metadata, Guid OrderId, Guid ShipmentId, string Carrier, string TrackingNumber) : IEvent;

/// <summary>The courier delivered the order.</summary>
[MessageUrn("delivery:order-delivered:v1")]
public sealed record OrderDelivered(EventMetadata Metadata, Guid OrderId, Guid ShipmentId) : IEvent;

/// <summary>The courier could not deliver the order.</summary>
[MessageUrn("delivery:delivery-failed:v1")]
public sealed record DeliveryFailed(EventMetadata Metadata, Guid OrderId, Guid ShipmentId, string Reason) : IEvent;
