using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.Fulfillment;

/// <summary>The calls of the fulfillment flow, each through its service's public API, playing the people by hand.</summary>
public static class FulfillmentCalls
{
    public static async Task<JsonObject> OrderAsync(this TestSystem system, Guid orderId)
    {
        using var orders = system.Orders.CreateClient().AsOperator();
        return (await orders.GetFromJsonAsync<JsonObject>($"/api/orders/{orderId}", TestContext.Current.CancellationToken))!;
    }

    /// <summary>Waits until the order is in <paramref name="status"/> and returns it.</summary>
    public static Task<JsonObject> WaitForStatusAsync(this TestSystem system, Guid orderId, string status, TimeSpan? timeout = null) =>
        Eventually.Until(() => system.OrderAsync(orderId), order => order["status"]!.GetValue<string>() == status, timeout);

    /// <summary>
    /// Waits until the order has been in <paramref name="status"/>, whether or not it has moved on: Picked lasts
    /// milliseconds while Delivery ships at once.
    /// </summary>
    public static Task<JsonObject> WaitForHistoryAsync(this TestSystem system, Guid orderId, string status) =>
        Eventually.Until(() => system.OrderAsync(orderId), order => order.HistoryStatuses().Contains(status));

    public static IEnumerable<string> HistoryStatuses(this JsonObject order) =>
        order["history"]!.AsArray().Select(h => h!["status"]!.GetValue<string>());

    /// <summary>The token of the order's pending pick task, once Warehouse has it.</summary>
    public static async Task<Guid> PendingPickAsync(this TestSystem system, Guid orderId)
    {
        using var warehouse = system.Warehouse.CreateClient().As(Roles.Warehouse);
        var pick = await Eventually.Until(
            async () => (await warehouse.GetFromJsonAsync<JsonArray>("/api/picks?status=Pending", TestContext.Current.CancellationToken))!
                .FirstOrDefault(p => p!["orderId"]!.GetValue<Guid>() == orderId),
            p => p is not null);
        return pick!["taskToken"]!.GetValue<Guid>();
    }

    public static async Task<HttpStatusCode> CompletePickAsync(this TestSystem system, Guid taskToken)
    {
        using var warehouse = system.Warehouse.CreateClient().As(Roles.Warehouse);
        return (await warehouse.PostAsync($"/api/picks/{taskToken}/complete", null, TestContext.Current.CancellationToken)).StatusCode;
    }

    /// <summary>The order's shipment, once Delivery has it.</summary>
    public static async Task<JsonObject> ShipmentAsync(this TestSystem system, Guid orderId)
    {
        using var delivery = system.Delivery.CreateClient().AsOperator();
        return await Eventually.Until(
            async () =>
            {
                var response = await delivery.GetAsync($"/api/shipments/{orderId}", TestContext.Current.CancellationToken);
                return response.StatusCode == HttpStatusCode.OK
                    ? await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken)
                    : null;
            },
            shipment => shipment is not null) ?? throw new InvalidOperationException("no shipment");
    }

    public static async Task<HttpStatusCode> ReportDeliveryAsync(this TestSystem system, Guid shipmentId, string? failure = null)
    {
        using var delivery = system.Delivery.CreateClient().As(Roles.Courier);
        var response = failure is null
            ? await delivery.PostAsync($"/api/shipments/{shipmentId}/delivered", null, TestContext.Current.CancellationToken)
            : await delivery.PostAsJsonAsync($"/api/shipments/{shipmentId}/failed", new { reason = failure }, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    /// <summary>Cancels the order as <paramref name="customerId"/> (by default the customer of <see cref="Orders.Requests.Order"/>).</summary>
    public static async Task<HttpStatusCode> CancelAsync(this TestSystem system, Guid orderId, string customerId = "customer-1")
    {
        using var orders = system.Orders.CreateClient().As(Roles.Customer, customerId);
        return (await orders.PostAsync($"/api/orders/{orderId}/cancel", null, TestContext.Current.CancellationToken)).StatusCode;
    }

    public static async Task<JsonObject> StockOfAsync(this TestSystem system, string sku)
    {
        using var warehouse = system.Warehouse.CreateClient().AsOperator();
        return (await warehouse.GetFromJsonAsync<JsonObject>($"/api/stock/{sku}", TestContext.Current.CancellationToken))!;
    }

    /// <summary>Places an order for one unit of <paramref name="sku"/> and picks it by hand; returns it with its pick's task token.</summary>
    public static async Task<(Guid OrderId, Guid Pick)> PickedOrderAsync(this TestSystem system, string sku)
    {
        var orderId = await system.PlaceAsync(Orders.Requests.Order(sku, quantity: 1), Orders.Requests.NewKey());
        var pick = await system.PendingPickAsync(orderId);
        await system.CompletePickAsync(pick);
        await system.WaitForHistoryAsync(orderId, "Picked");
        return (orderId, pick);
    }

    /// <summary>Places an order and walks it to Delivered, picking and delivering by hand.</summary>
    public static async Task<Guid> DeliveredOrderAsync(this TestSystem system, string sku, int quantity, string customerId = "customer-1")
    {
        var orderId = await system.PlaceAsync(Orders.Requests.Order(sku, quantity, customerId), Orders.Requests.NewKey());
        Assert.Equal(HttpStatusCode.Accepted, await system.CompletePickAsync(await system.PendingPickAsync(orderId)));
        var shipment = await system.ShipmentAsync(orderId);
        await system.WaitForHistoryAsync(orderId, "Shipped"); // else OrderDelivered may reach the saga before OrderShipped
        Assert.Equal(HttpStatusCode.Accepted, await system.ReportDeliveryAsync(shipment["shipmentId"]!.GetValue<Guid>()));
        await system.WaitForStatusAsync(orderId, "Delivered");
        return orderId;
    }
}
