using EcommerceEda.Messaging;
using MassTransit;

namespace EcommerceEda.Orders.Contracts;

/// <summary>
/// A customer placed an order. Descriptive: it carries everything a subscriber needs
/// (lines, prices, address) so nobody has to call Orders back.
/// </summary>
[MessageUrn("orders:order-placed:v1")]
public sealed record OrderPlaced(
    EventMetadata Metadata,
    Guid OrderId,
    string CustomerId,
    string Currency,
    IReadOnlyList<OrderLine> Lines,
    decimal Total,
    ShippingAddress ShippingAddress) : IEvent;

/// <summary>One line of an order.</summary>
public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice);

/// <summary>Where an order is delivered; <c>Country</c> is an ISO 3166-1 alpha-2 code.</summary>
public sealed record ShippingAddress(string Line1, string City, string PostalCode, string Country);
