using EcommerceEda.ServiceDefaults.OpenApi;
using EcommerceEda.ServiceDefaults.Simulation;
using EcommerceEda.Warehouse.Contracts;
using EcommerceEda.Warehouse.Features.Picks;
using EcommerceEda.Warehouse.Features.ReleaseStock;
using EcommerceEda.Warehouse.Features.ReserveStock;
using EcommerceEda.Warehouse.Features.Restock;
using EcommerceEda.Warehouse.Features.SetStock;

namespace EcommerceEda.Warehouse;

public static class Extensions
{
    /// <summary>The Warehouse service: its database and migrations, messaging, request handlers and the pick simulator.</summary>
    public static void AddWarehouse(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase("warehouse-db", typeof(Extensions).Assembly);
        builder.AddMessaging("warehouse", messaging => messaging
            .Consumes<ReserveStockConsumer>()
            .Consumes<PickOrderConsumer>()
            .Consumes<ReleaseStockConsumer>()
            .Consumes<ReturnReceivedConsumer>()
            .Publishes<StockReserved>()
            .Publishes<StockReservationFailed>()
            .Publishes<OrderPicked>()
            .Publishes<StockReleased>()
            .Publishes<StockRestocked>());
        builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Scoped);
        builder.Services.AddApiExample(new SetStockRequest(OnHand: 25));
        builder.AddSimulator("Warehouse:Simulator", PickSimulation.CompleteDuePicksAsync, wakeUpChannel: "pick_tasks");
    }
}
