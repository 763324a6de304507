using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace EcommerceEda.Tests.Messaging;

/// <summary>OrderPlaced travels from Orders' outbox through RabbitMQ to the saga, Warehouse and Support, once.</summary>
public sealed class OrderPlacedFlowTests(TestSystem system) : IClassFixture<TestSystem>
{
    private readonly HttpClient _warehouse = system.Warehouse.CreateClient().As(Roles.Warehouse);

    [Fact]
    public async Task A_placed_order_reserves_its_stock_in_Warehouse_and_shows_in_Supports_timeline()
    {
        var sku = await system.StockAsync(onHand: 10);

        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 3), Requests.NewKey());

        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 3);
        var timeline = await Eventually.Until(() => system.TimelineAsync(orderId), t => t is not null);
        var entry = timeline!["events"]![0]!; // then Warehouse's StockReserved, and on
        Assert.Equal("OrderPlaced", entry["type"]!.GetValue<string>());
        Assert.Equal("orders", entry["source"]!.GetValue<string>());
        Assert.Equal(orderId, entry["data"]!["orderId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Placing_twice_with_one_key_is_consumed_once()
    {
        var sku = await system.StockAsync(onHand: 10);
        var key = Requests.NewKey();

        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 2), key);
        Assert.Equal(orderId, await system.PlaceAsync(Requests.Order(sku, quantity: 2), key));

        await Eventually.Until(() => system.TimelineAsync(orderId), t => t is not null);
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 2);
        await Eventually.Until(
            () => system.ScalarAsync<int>("orders", $"SELECT count(*) FROM outbox_messages WHERE {SystemCalls.OrderPlacedRow} AND sent_at IS NOT NULL", new { Id = orderId.ToString() }),
            sent => sent == 1);
        Assert.Equal(1, await system.ScalarAsync<int>("orders", $"SELECT count(*) FROM outbox_messages WHERE {SystemCalls.OrderPlacedRow}", new { Id = orderId.ToString() }));
    }

    [Fact]
    public async Task A_redelivered_OrderPlaced_has_one_effect()
    {
        var sku = await system.StockAsync(onHand: 10);
        var placed = TestMessages.OrderPlaced(sku, quantity: 4, customerId: "customer-redelivery");
        var after = TestMessages.OrderPlaced(await system.StockAsync(onHand: 10), quantity: 1, customerId: "customer-after-redelivery");
        using var sagaDuplicates = TestMessages.DuplicatesDropped(system.Orders.Services);
        var bus = system.Orders.Services.GetRequiredService<IBus>();

        // The same message id twice, as the broker redelivers after a lost ack or the relay republishes after a crash.
        await bus.Publish(placed, context => context.MessageId = placed.Metadata.EventId, TestContext.Current.CancellationToken);
        await bus.Publish(placed, context => context.MessageId = placed.Metadata.EventId, TestContext.Current.CancellationToken);
        // Then another order: the timeline's reader applies the stream in order, so once it shows this one it has read
        // both copies. (A count of events read would not do: events of the tests before this one may still be on their way.)
        await bus.Publish(after, TestContext.Current.CancellationToken);

        await sagaDuplicates.WaitForMeasurementsAsync(1, Eventually.DefaultTimeout);
        await Eventually.Until(() => system.TimelineAsync(after.OrderId), timeline => timeline is not null);
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 4);
        Assert.Single((await system.TimelineAsync(placed.OrderId))!["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "OrderPlaced");
        // Without the inbox the saga would apply the second copy: a second ReserveStock, an instance created twice.
        Assert.Equal(1, await system.ScalarAsync<int>(
            "orders", "SELECT count(*) FROM outbox_messages WHERE message_type = 'urn:message:warehouse:reserve-stock:v1' AND body->>'orderId' = @Id",
            new { Id = placed.OrderId.ToString() }));
        Assert.Equal(0, await system.DeadLetterCountAsync("orders-fulfillment"));
        Assert.Equal(0, await system.SkippedCountAsync("orders-fulfillment"));
    }

    [Fact]
    public async Task An_order_that_lacks_stock_reserves_nothing_and_records_what_is_missing()
    {
        var sku = await system.StockAsync(onHand: 1);

        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 2), Requests.NewKey());

        var shortfalls = await Eventually.Until(
            () => system.ScalarAsync<string>("warehouse", "SELECT shortfalls::text FROM reservations WHERE order_id = @orderId", new { orderId }),
            s => s is not null);
        Assert.Equal(0, await system.ReservedAsync(sku));
        var shortfall = Assert.Single(JsonNode.Parse(shortfalls!)!.AsArray());
        Assert.Equal(1, shortfall!["available"]!.GetValue<int>());
    }

    [Fact]
    public async Task Stock_cannot_be_set_below_what_is_reserved()
    {
        var sku = await system.StockAsync(onHand: 5);
        await system.PlaceAsync(Requests.Order(sku, quantity: 3), Requests.NewKey());
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 3);

        var response = await _warehouse.PutAsJsonAsync($"/api/stock/{sku}", new { onHand = 2 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var stock = await _warehouse.GetFromJsonAsync<JsonObject>($"/api/stock/{sku}", TestContext.Current.CancellationToken);
        Assert.Equal(5, stock!["onHand"]!.GetValue<int>());
    }
}
