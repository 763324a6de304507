using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.Messaging;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using EcommerceEda.Warehouse.Contracts;

namespace EcommerceEda.Tests.Fulfillment;

/// <summary>The saga's journal, as <c>GET /api/orders/{orderId}/execution</c> shows it: each message taken once, with what it sent.</summary>
public sealed class ExecutionTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task A_delivered_order_shows_each_step_of_the_saga_with_the_messages_it_sent()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.DeliveredOrderAsync(sku, quantity: 1);

        var execution = await Eventually.Until(
            () => ExecutionAsync(orderId, Roles.Customer, "customer-1"),
            e => Steps(e).All(step => step["sent"]!.AsArray().All(m => m!["published"]!.GetValue<bool>() || m["notBefore"] is not null)));

        Assert.Equal("Delivered", execution["state"]!.GetValue<string>());
        Assert.Equal(
            [
                "1 OrderPlaced: Initial → Placed, sent ReserveStock",
                "2 StockReserved: Placed → Reserved, sent PickOrder PickDeadlinePassed",
                "3 OrderPicked: Reserved → Picked, sent ShipOrder, cancelled PickDeadlinePassed of step 2",
                "4 OrderShipped: Picked → Shipped, sent",
                "5 OrderDelivered: Shipped → Delivered, sent OrderCompleted",
            ],
            Steps(execution).Select(Describe));
        var timer = Steps(execution)[1]["sent"]!.AsArray()[1]!;
        Assert.True(timer["notBefore"]!.GetValue<DateTimeOffset>() > Steps(execution)[1]["at"]!.GetValue<DateTimeOffset>()); // the pick SLA
        Assert.Equal(3, timer["cancelledBy"]!.GetValue<int>()); // the pick came in time
        Assert.False(timer["published"]!.GetValue<bool>());
        Assert.Equal(timer["id"]!.GetValue<Guid>(), Steps(execution)[2]["cancelled"]!.AsArray().Single()!["id"]!.GetValue<Guid>());
        Assert.Equal("urn:message:orders:order-placed:v1", Steps(execution)[0]["messageType"]!.GetValue<string>());
        var times = Steps(execution).Select(step => step["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.Order(), times);
    }

    [Fact]
    public async Task A_message_the_saga_ignores_is_a_step_that_changes_nothing()
    {
        var sku = await system.StockAsync(onHand: 10);
        var (orderId, pick) = await system.PickedOrderAsync(sku);

        // Warehouse says it again, as a new event: the saga has moved on (to Picked, or Shipped by now) and ignores it.
        var again = new OrderPicked(new EventMetadata(Guid.CreateVersion7(), "test/picked-again", "warehouse", DateTimeOffset.UtcNow, 1), orderId, pick);
        await system.PublishAsOwnerAsync(again, context => context.MessageId = again.Metadata.EventId); // as a relay publishes an event

        var execution = await Eventually.Until(
            () => ExecutionAsync(orderId, Roles.Operator),
            e => Steps(e).Any(step => step["messageId"]?.GetValue<Guid>() == again.Metadata.EventId));
        var ignored = Steps(execution).Single(step => step["messageId"]?.GetValue<Guid>() == again.Metadata.EventId);
        Assert.Equal(ignored["from"]!.GetValue<string>(), ignored["to"]!.GetValue<string>());
        Assert.Empty(ignored["sent"]!.AsArray());
        Assert.Single(Steps(execution), step => step["message"]!.GetValue<string>() == "OrderPicked" && step["to"]!.GetValue<string>() == "Picked" && step["from"]!.GetValue<string>() == "Reserved");
        Assert.Equal(Enumerable.Range(1, Steps(execution).Count), Steps(execution).Select(step => step["step"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Another_customers_order_is_not_found_and_the_graph_is_open_to_anyone()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());

        using var stranger = system.Orders.CreateClient().As(Roles.Customer, "customer-2");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/orders/{orderId}/execution", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/orders/{Guid.NewGuid()}/execution", TestContext.Current.CancellationToken)).StatusCode);
        using var anonymous = system.Orders.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/orders/{orderId}/execution", TestContext.Current.CancellationToken)).StatusCode);

        var graph = await anonymous.GetFromJsonAsync<JsonObject>("/api/fulfillment/graph", TestContext.Current.CancellationToken);
        Assert.Contains(graph!["transitions"]!.AsArray(), t => t!["from"]!.GetValue<string>() == "Shipped" && t["to"]!.GetValue<string>() == "Delivered");
        var page = await anonymous.GetAsync("/fulfillment", TestContext.Current.CancellationToken);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    private async Task<JsonObject> ExecutionAsync(Guid orderId, string role, string subject = "tester")
    {
        using var client = system.Orders.CreateClient().As(role, subject);
        return (await client.GetFromJsonAsync<JsonObject>($"/api/orders/{orderId}/execution", TestContext.Current.CancellationToken))!;
    }

    private static List<JsonNode> Steps(JsonObject execution) => [.. execution["steps"]!.AsArray().Select(step => step!)];

    private static string Describe(JsonNode step) =>
        $"{step["step"]} {step["message"]}: {step["from"]} → {step["to"]}, sent{string.Concat(step["sent"]!.AsArray().Select(m => $" {m!["message"]}"))}"
        + string.Concat(step["cancelled"]!.AsArray().Select(t => $", cancelled {t!["message"]} of step {t["setBy"]}"));
}
