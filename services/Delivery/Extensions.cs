namespace EcommerceEda.Delivery;

public static class Extensions
{
    /// <summary>
    /// The Delivery service: its database (with the outbox and inbox) and its broker connection.
    /// Shipments and their consumers arrive with the fulfillment saga.
    /// </summary>
    public static void AddDelivery(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase("delivery-db", typeof(Extensions).Assembly);
        builder.AddMessaging("delivery", _ => { });
    }
}
