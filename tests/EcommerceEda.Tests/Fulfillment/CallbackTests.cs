using System.Net;
using System.Net.Http.Json;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Fulfillment;

/// <summary>The people's callbacks: a courier's report and a picker's list, with their errors.</summary>
public sealed class CallbackTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task A_courier_report_is_idempotent_and_cannot_change_its_mind()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
        await system.CompletePickAsync(await system.PendingPickAsync(orderId));
        var shipmentId = (await system.ShipmentAsync(orderId))["shipmentId"]!.GetValue<Guid>();

        Assert.Equal(HttpStatusCode.Accepted, await system.ReportDeliveryAsync(shipmentId));
        Assert.Equal(HttpStatusCode.Accepted, await system.ReportDeliveryAsync(shipmentId));
        Assert.Equal(HttpStatusCode.Conflict, await system.ReportDeliveryAsync(shipmentId, "lost"));
        Assert.Equal("Delivered", (await system.ShipmentAsync(orderId))["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, await system.ReportDeliveryAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task A_failure_without_a_reason_is_a_400()
    {
        using var delivery = system.Delivery.CreateClient().As(Roles.Courier);

        var response = await delivery.PostAsJsonAsync($"/api/shipments/{Guid.NewGuid()}/failed", new { reason = "" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await delivery.GetAsync($"/api/shipments/{Guid.NewGuid()}", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Theory]
    [InlineData("status=Lost")]
    [InlineData("limit=0")]
    public async Task A_bad_pick_query_is_a_400(string query)
    {
        using var warehouse = system.Warehouse.CreateClient().As(Roles.Warehouse);

        var response = await warehouse.GetAsync($"/api/picks?{query}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
