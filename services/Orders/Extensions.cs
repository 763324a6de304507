using EcommerceEda.Orders.Contracts;

namespace EcommerceEda.Orders;

public static class Extensions
{
    /// <summary>The Orders service: its database and migrations, messaging, and request handlers.</summary>
    public static void AddOrders(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase("orders-db", typeof(Extensions).Assembly);
        builder.AddMessaging("orders", messaging => messaging.Publishes<OrderPlaced>());
        builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Scoped);
    }
}
