using EcommerceEda.Messaging;
using MassTransit;

namespace EcommerceEda.Warehouse.Contracts;

/// <summary>A quantity of one SKU.</summary>
public sealed record StockLine(string Sku, int Quantity);

/// <summary>How much of a SKU an order lacks.</summary>
public sealed record StockShortfall(string Sku, int Requested, int Available);

/// <summary>Command: reserve every line of an order, or none. Answered by <see cref="StockReserved"/> or <see cref="StockReservationFailed"/>.</summary>
[MessageUrn("warehouse:reserve-stock:v1")]
public sealed record ReserveStock(Guid OrderId, IReadOnlyList<StockLine> Lines);

/// <summary>Command: pick a reserved order. A person (or the simulator) completes the pick task identified by
/// <see cref="TaskToken"/>, which answers with <see cref="OrderPicked"/> carrying the same token.</summary>
[MessageUrn("warehouse:pick-order:v1")]
public sealed record PickOrder(Guid OrderId, Guid TaskToken, IReadOnlyList<StockLine> Lines);

/// <summary>Command (compensation): give back what was reserved, or take back what was picked.</summary>
[MessageUrn("warehouse:release-stock:v1")]
public sealed record ReleaseStock(Guid OrderId, string Reason);

/// <summary>Every line of the order is reserved.</summary>
[MessageUrn("warehouse:stock-reserved:v1")]
public sealed record StockReserved(EventMetadata Metadata, Guid OrderId) : IEvent;

/// <summary>The order could not be reserved; nothing was.</summary>
[MessageUrn("warehouse:stock-reservation-failed:v1")]
public sealed record StockReservationFailed(EventMetadata Metadata, Guid OrderId, IReadOnlyList<StockShortfall> Shortfalls) : IEvent;

/// <summary>The order was picked: its units left the shelves. Completes the pick task <see cref="TaskToken"/>.</summary>
[MessageUrn("warehouse:order-picked:v1")]
public sealed record OrderPicked(EventMetadata Metadata, Guid OrderId, Guid TaskToken) : IEvent;

/// <summary>The order's stock is available again (released before the pick, or returned after it).</summary>
[MessageUrn("warehouse:stock-released:v1")]
public sealed record StockReleased(EventMetadata Metadata, Guid OrderId) : IEvent;

/// <summary>A received return was put back on the shelves.</summary>
[MessageUrn("warehouse:stock-restocked:v1")]
public sealed record StockRestocked(EventMetadata Metadata, Guid OrderId, Guid ReturnId, IReadOnlyList<StockLine> Lines) : IEvent;
