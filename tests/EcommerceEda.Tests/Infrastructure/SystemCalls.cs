using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>The API calls tests of the flow make, through each service's public API.</summary>
public static class SystemCalls
{
    /// <summary>The condition on Orders' <c>outbox_messages</c> that finds the OrderPlaced of the order <c>@Id</c> (a string).</summary>
    public const string OrderPlacedRow = "message_type = 'urn:message:orders:order-placed:v1' AND body->>'orderId' = @Id";

    /// <summary>Puts a new SKU with <paramref name="onHand"/> units in Warehouse and returns it.</summary>
    public static async Task<string> StockAsync(this TestSystem system, int onHand)
    {
        var sku = $"SKU-{Guid.NewGuid():N}";
        using var warehouse = system.Warehouse.CreateClient().As(Roles.Warehouse);
        (await warehouse.PutAsJsonAsync($"/api/stock/{sku}", new { onHand }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        return sku;
    }

    /// <summary>Places an order as the customer it names, expects 202, and returns its id.</summary>
    public static async Task<Guid> PlaceAsync(this TestSystem system, JsonObject order, string key)
    {
        using var orders = system.Orders.CreateClient();
        var response = await orders.PlaceOrderAsync(order, key);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["orderId"]!.GetValue<Guid>();
    }

    /// <summary>How many units of <paramref name="sku"/> Warehouse has reserved.</summary>
    public static async Task<int> ReservedAsync(this TestSystem system, string sku)
    {
        using var warehouse = system.Warehouse.CreateClient().AsOperator();
        var stock = await warehouse.GetFromJsonAsync<JsonObject>($"/api/stock/{sku}", TestContext.Current.CancellationToken);
        return stock!["reserved"]!.GetValue<int>();
    }

    /// <summary>Support's timeline of the order, or null while it has none.</summary>
    public static async Task<JsonObject?> TimelineAsync(this TestSystem system, Guid orderId)
    {
        using var support = system.Support.CreateClient().AsOperator();
        var response = await support.GetAsync($"/api/orders/{orderId}/timeline", TestContext.Current.CancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound
            ? null
            : await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
    }
}
