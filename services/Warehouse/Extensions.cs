using EcommerceEda.Warehouse.Features.ReserveStock;

namespace EcommerceEda.Warehouse;

public static class Extensions
{
    /// <summary>The Warehouse service: its database and migrations, messaging, and request handlers.</summary>
    public static void AddWarehouse(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase("warehouse-db", typeof(Extensions).Assembly);
        builder.AddMessaging("warehouse", messaging => messaging.Consumes<OrderPlacedConsumer>());
        builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Scoped);
    }
}
