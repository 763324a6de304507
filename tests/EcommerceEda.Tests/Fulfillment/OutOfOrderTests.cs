using EcommerceEda.Delivery.Contracts;
using EcommerceEda.Messaging;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using EcommerceEda.Warehouse.Contracts;

namespace EcommerceEda.Tests.Fulfillment;

/// <summary>
/// Events may arrive twice or out of order; the saga must end the same. This class stops its Delivery and
/// plays the courier's events itself, in the order it chooses.
/// </summary>
public sealed class OutOfOrderTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task Delivered_before_Shipped_ends_Delivered_with_the_same_history()
    {
        await system.Delivery.DisposeAsync(); // ShipOrder waits in its queue; this test is the courier
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
        await system.CompletePickAsync(await system.PendingPickAsync(orderId));
        await system.WaitForStatusAsync(orderId, "Picked");
        var shipmentId = Guid.NewGuid();
        var shippedAt = DateTimeOffset.UtcNow;

        await system.PublishAsOwnerAsync(new OrderDelivered(Metadata("delivered", shippedAt.AddSeconds(1)), orderId, shipmentId));
        await system.WaitForStatusAsync(orderId, "Delivered");
        await system.PublishAsOwnerAsync(new OrderShipped(Metadata("shipped", shippedAt), orderId, shipmentId, "EDA Express", "EDA1"));

        var order = await Eventually.Until(() => system.OrderAsync(orderId), o => o.HistoryStatuses().Count() == 5);
        Assert.Equal("Delivered", order["status"]!.GetValue<string>());
        Assert.Equal(["Placed", "StockReserved", "Picked", "Shipped", "Delivered"], order.HistoryStatuses());
    }

    [Fact]
    public async Task The_same_fact_twice_under_two_message_ids_has_one_effect()
    {
        var sku = await system.StockAsync(onHand: 10);
        var (orderId, pick) = await system.PickedOrderAsync(sku);

        // Warehouse says it again, as a new event: the saga has moved on and ignores it.
        await system.PublishAsOwnerAsync(new OrderPicked(Metadata("picked-again", DateTimeOffset.UtcNow), orderId, pick));
        await Eventually.Until(
            () => system.ScalarAsync<int>("orders", "SELECT count(*) FROM inbox_messages WHERE consumer = 'orders-fulfillment'"),
            processed => processed >= 4); // OrderPlaced, StockReserved, OrderPicked and the copy

        Assert.Equal(1, await system.ScalarAsync<int>(
            "orders",
            "SELECT count(*) FROM outbox_messages WHERE message_type = 'urn:message:delivery:ship-order:v1' AND body->>'orderId' = @Id",
            new { Id = orderId.ToString() }));
        Assert.Single((await system.OrderAsync(orderId)).HistoryStatuses(), status => status == "Picked");
        Assert.Equal(0, await system.DeadLetterCountAsync("orders-fulfillment"));
    }

    private static EventMetadata Metadata(string fact, DateTimeOffset at) =>
        new(Guid.CreateVersion7(), $"test/{fact}", "delivery", at, SchemaVersion: 1);
}
