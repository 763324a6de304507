using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.Orders;

/// <summary>GET /api/orders: pages of orders, a customer's or everyone's, newest first, with a cursor and a status filter.</summary>
public sealed class ListOrdersTests(TestSystem system) : IClassFixture<TestSystem>
{
    private readonly HttpClient _orders = system.Orders.CreateClient().AsOperator();

    [Fact]
    public async Task Pages_through_a_customers_orders_newest_first()
    {
        var customerId = Requests.NewKey();
        var placed = new List<Guid>();
        foreach (var _ in Enumerable.Range(0, 5))
        {
            placed.Add(await system.PlaceAsync(Requests.Order(customerId: customerId), Requests.NewKey()));
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await _orders.GetFromJsonAsync<JsonObject>(
                $"/api/orders?customerId={customerId}&limit=2{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}",
                TestContext.Current.CancellationToken);
            var items = page!["items"]!.AsArray();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items.Select(i => i!["orderId"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(placed), seen);
    }

    [Fact]
    public async Task Filters_by_status()
    {
        var customerId = Requests.NewKey();
        var orderId = await system.PlaceAsync(Requests.Order(sku: $"SKU-{Guid.NewGuid():N}", customerId: customerId), Requests.NewKey());
        await Fulfillment.FulfillmentCalls.WaitForStatusAsync(system, orderId, "Cancelled"); // no such stock: out of stock

        var cancelled = await _orders.GetFromJsonAsync<JsonObject>($"/api/orders?customerId={customerId}&status=Cancelled", TestContext.Current.CancellationToken);
        var placed = await _orders.GetFromJsonAsync<JsonObject>($"/api/orders?customerId={customerId}&status=Placed", TestContext.Current.CancellationToken);

        Assert.Equal(orderId, Assert.Single(cancelled!["items"]!.AsArray())!["orderId"]!.GetValue<Guid>());
        Assert.Empty(placed!["items"]!.AsArray());
    }

    [Fact]
    public async Task Pages_through_all_customers_orders_newest_first()
    {
        var placed = new List<Guid>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            placed.Add(await system.PlaceAsync(Requests.Order(customerId: Requests.NewKey()), Requests.NewKey()));
        }

        var first = await _orders.GetFromJsonAsync<JsonObject>("/api/orders?limit=2", TestContext.Current.CancellationToken);
        var cursor = Uri.EscapeDataString(first!["nextCursor"]!.GetValue<string>());
        var second = await _orders.GetFromJsonAsync<JsonObject>($"/api/orders?limit=2&cursor={cursor}", TestContext.Current.CancellationToken);

        // The other tests of this class place orders too, but none after these.
        var seen = first["items"]!.AsArray().Concat(second!["items"]!.AsArray()).Select(i => i!["orderId"]!.GetValue<Guid>());
        Assert.Equal(Enumerable.Reverse(placed), seen.Take(3));
    }

    [Fact]
    public async Task Filters_all_customers_orders_by_status()
    {
        var cancelled = await system.PlaceAsync(Requests.Order(sku: $"SKU-{Guid.NewGuid():N}"), Requests.NewKey());
        await Fulfillment.FulfillmentCalls.WaitForStatusAsync(system, cancelled, "Cancelled"); // no such stock: out of stock
        await system.PlaceAsync(Requests.Order(await system.StockAsync(onHand: 10), quantity: 1), Requests.NewKey()); // newer, in stock

        var page = await _orders.GetFromJsonAsync<JsonObject>("/api/orders?status=Cancelled&limit=1", TestContext.Current.CancellationToken);

        Assert.Equal(cancelled, Assert.Single(page!["items"]!.AsArray())!["orderId"]!.GetValue<Guid>());
    }

    [Theory]
    [InlineData("status=Lost", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task A_bad_query_is_a_400_naming_the_parameter(string query, string parameter)
    {
        var response = await _orders.GetAsync($"/api/orders?{query}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal([parameter], problem!["errors"]!.AsObject().Select(e => e.Key));
    }
}
