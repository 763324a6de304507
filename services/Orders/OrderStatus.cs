namespace EcommerceEda.Orders;

/// <summary>Where an order is in its life; the saga moves it along.</summary>
public enum OrderStatus
{
    Placed,
    StockReserved,
    Picked,
    Shipped,
    Delivered,
    Cancelled,
    ReturnRequested,
    Refunded,
}
