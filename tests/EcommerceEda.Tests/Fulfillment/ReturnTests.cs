using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Fulfillment;

/// <summary>Returns, by choreography: Support takes them, Warehouse restocks, Orders refunds.</summary>
public sealed class ReturnTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task A_returned_delivered_order_is_refunded_and_restocked()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.DeliveredOrderAsync(sku, quantity: 3);
        var key = Requests.NewKey();

        // Support learns of the delivery from the stream: until then the order is not returnable.
        var requested = await Eventually.Until(() => RequestReturnAsync(orderId, key), r => r.StatusCode == HttpStatusCode.Accepted);
        var returnId = (await requested.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["returnId"]!.GetValue<Guid>();
        await system.WaitForStatusAsync(orderId, "ReturnRequested");
        var again = await RequestReturnAsync(orderId, key);
        Assert.Equal(returnId, (await again.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["returnId"]!.GetValue<Guid>());

        Assert.Equal(HttpStatusCode.Accepted, await ReceiveAsync(returnId));
        Assert.Equal(HttpStatusCode.Accepted, await ReceiveAsync(returnId)); // again: the same answer

        var order = await system.WaitForStatusAsync(orderId, "Refunded");
        Assert.Equal(["Placed", "StockReserved", "Picked", "Shipped", "Delivered", "ReturnRequested", "Refunded"], order.HistoryStatuses());
        await Eventually.Until(() => system.StockOfAsync(sku), stock => stock["onHand"]!.GetValue<int>() == 10);
        Assert.Equal(1, await system.ScalarAsync<int>("warehouse", "SELECT count(*) FROM restocks WHERE return_id = @returnId", new { returnId }));
    }

    [Fact]
    public async Task Only_a_delivered_order_can_be_returned()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
        await system.WaitForStatusAsync(orderId, "StockReserved");

        Assert.Equal(HttpStatusCode.Conflict, (await RequestReturnAsync(orderId, Requests.NewKey())).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await RequestReturnAsync(Guid.NewGuid(), Requests.NewKey())).StatusCode);
    }

    [Fact]
    public async Task A_return_request_needs_a_key_and_a_valid_body()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await RequestReturnAsync(Guid.NewGuid(), key: null)).StatusCode);
        using var support = system.Support.CreateClient().As(Roles.Customer, "customer-1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/returns") { Content = JsonContent.Create(new { reason = "" }) };
        request.Headers.Add("Idempotency-Key", Requests.NewKey());
        var invalid = await support.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await invalid.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal(["orderId", "reason"], problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, await ReceiveAsync(Guid.NewGuid()));
    }

    private async Task<HttpResponseMessage> RequestReturnAsync(Guid orderId, string? key, string customerId = "customer-1")
    {
        using var support = system.Support.CreateClient().As(Roles.Customer, customerId);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/returns")
        {
            Content = JsonContent.Create(new { orderId, reason = "too small" }),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await support.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<HttpStatusCode> ReceiveAsync(Guid returnId)
    {
        using var support = system.Support.CreateClient().As(Roles.Warehouse);
        return (await support.PostAsync($"/api/returns/{returnId}/receive", null, TestContext.Current.CancellationToken)).StatusCode;
    }
}
