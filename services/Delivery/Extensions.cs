using EcommerceEda.Delivery.Contracts;
using EcommerceEda.Delivery.Features.Shipments;
using EcommerceEda.ServiceDefaults.OpenApi;
using EcommerceEda.ServiceDefaults.Simulation;

namespace EcommerceEda.Delivery;

public static class Extensions
{
    /// <summary>The Delivery service: its database and migrations, messaging, request handlers and the courier simulator.</summary>
    public static void AddDelivery(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase("delivery-db", typeof(Extensions).Assembly);
        builder.AddMessaging("delivery", messaging => messaging
            .Consumes<ShipOrderConsumer>()
            .Publishes<OrderShipped>()
            .Publishes<OrderDelivered>()
            .Publishes<DeliveryFailed>());
        builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Scoped);
        builder.Services.AddApiExample(new DeliveryFailure("Nobody home; the parcel is back at the depot."));
        builder.AddSimulator("Delivery:Simulator", DeliverySimulation.ReportDueShipmentsAsync, wakeUpChannel: "shipments");
    }
}
