using EcommerceEda.Delivery.Contracts;
using EcommerceEda.Orders.Contracts;
using EcommerceEda.Orders.Features.FulfillmentView;
using EcommerceEda.Orders.Features.PlaceOrder;
using EcommerceEda.Orders.Fulfillment;
using EcommerceEda.ServiceDefaults.OpenApi;
using EcommerceEda.Warehouse.Contracts;

namespace EcommerceEda.Orders;

public static class Extensions
{
    /// <summary>The table of the fulfillment saga's instances.</summary>
    public const string SagaTable = "order_sagas";

    /// <summary>The Orders service: its database and migrations, messaging with the fulfillment saga, and request handlers.</summary>
    public static void AddOrders(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase("orders-db", typeof(Extensions).Assembly);
        builder.Services.AddOptions<FulfillmentOptions>().BindConfiguration("Orders:Fulfillment");
        builder.AddMessaging("orders", messaging => messaging
            .Saga<OrderStateMachine, OrderState>("orders-fulfillment", SagaTable)
            .Publishes<OrderPlaced>()
            .Publishes<OrderCancelled>()
            .Publishes<OrderCompleted>()
            .Publishes<OrderRefunded>()
            .Publishes<CancelOrder>()
            .Publishes<PickDeadlinePassed>()
            .Sends<ReserveStock>()
            .Sends<PickOrder>()
            .Sends<ReleaseStock>()
            .Sends<ShipOrder>());
        builder.Services.AddSingleton(FulfillmentGraph.Of);
        builder.Services.AddSingleton<MessageNames>();
        builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Scoped);
        builder.Services.AddApiExample(new PlaceOrderRequest(
            "customer-1", "AUD", [new PlaceOrderLine("SKU-1", 2, 9.95m)], new PlaceOrderAddress("1 George St", "Sydney", "2000", "AU")));
    }
}
