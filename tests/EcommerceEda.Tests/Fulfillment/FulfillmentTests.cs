using System.Net;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Fulfillment;

/// <summary>The order-fulfillment saga across the four services, with people played by the test.</summary>
public sealed class FulfillmentTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task An_order_goes_from_Placed_to_Delivered_through_reservation_pick_and_shipping()
    {
        var sku = await system.StockAsync(onHand: 10);

        var orderId = await system.DeliveredOrderAsync(sku, quantity: 2, customerId: "customer-happy");

        var order = await system.OrderAsync(orderId);
        Assert.Equal(["Placed", "StockReserved", "Picked", "Shipped", "Delivered"], order.HistoryStatuses());
        var times = order["history"]!.AsArray().Select(h => h!["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.Order(), times);
        var stock = await system.StockOfAsync(sku);
        Assert.Equal(8, stock["onHand"]!.GetValue<int>());
        Assert.Equal(0, stock["reserved"]!.GetValue<int>());
        var timeline = await Eventually.Until(
            () => system.TimelineAsync(orderId),
            t => t!["events"]!.AsArray().Any(e => e!["type"]!.GetValue<string>() == "OrderCompleted"));
        Assert.Equal(
            ["OrderPlaced", "StockReserved", "OrderPicked", "OrderShipped", "OrderDelivered", "OrderCompleted"],
            timeline!["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_order_without_enough_stock_is_cancelled_as_out_of_stock_and_reserves_nothing()
    {
        var sku = await system.StockAsync(onHand: 1);

        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 2), Requests.NewKey());

        var order = await system.WaitForStatusAsync(orderId, "Cancelled");
        Assert.Equal("OutOfStock", order["history"]![1]!["reason"]!.GetValue<string>());
        Assert.Equal(0, await system.ReservedAsync(sku));
    }

    [Fact]
    public async Task Twenty_orders_for_the_last_unit_reserve_it_once()
    {
        var sku = await system.StockAsync(onHand: 1);

        var orderIds = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey())));

        var statuses = await Eventually.Until(
            async () => await Task.WhenAll(orderIds.Select(async id => (await system.OrderAsync(id))["status"]!.GetValue<string>())),
            all => all.All(s => s is "StockReserved" or "Cancelled"));
        Assert.Single(statuses, s => s == "StockReserved");
        Assert.Equal(19, statuses.Count(s => s == "Cancelled"));
        Assert.Equal(1, await system.ReservedAsync(sku));
    }

    [Fact]
    public async Task A_failed_delivery_cancels_the_order_and_puts_its_units_back()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 3), Requests.NewKey());
        await system.CompletePickAsync(await system.PendingPickAsync(orderId));
        var shipment = await system.ShipmentAsync(orderId);
        await system.WaitForStatusAsync(orderId, "Shipped");

        Assert.Equal(HttpStatusCode.Accepted, await system.ReportDeliveryAsync(shipment["shipmentId"]!.GetValue<Guid>(), "address not found"));

        var order = await system.WaitForStatusAsync(orderId, "Cancelled");
        Assert.Equal("DeliveryFailed", order["history"]!.AsArray().Last()!["reason"]!.GetValue<string>());
        await Eventually.Until(() => system.StockOfAsync(sku), stock => stock["onHand"]!.GetValue<int>() == 10);
        Assert.Equal(0, await system.ReservedAsync(sku));
    }

    [Fact]
    public async Task A_customer_cancel_before_shipping_releases_the_stock_and_the_pick()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 4), Requests.NewKey());
        var pick = await system.PendingPickAsync(orderId);

        Assert.Equal(HttpStatusCode.Accepted, await system.CancelAsync(orderId));

        var order = await system.WaitForStatusAsync(orderId, "Cancelled");
        Assert.Equal("CustomerCancelled", order["history"]!.AsArray().Last()!["reason"]!.GetValue<string>());
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 0);
        Assert.Equal(HttpStatusCode.Conflict, await system.CompletePickAsync(pick));
        Assert.Equal(HttpStatusCode.Accepted, await system.CancelAsync(orderId)); // again: nothing more happens
    }

    [Fact]
    public async Task A_pick_in_time_cancels_the_pick_timer()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
        var pick = await system.PendingPickAsync(orderId);
        Assert.Equal(1, await PickTimeoutTests.DeadlineRowsAsync(system, orderId)); // set when the stock was reserved, before the pick task was made

        await system.CompletePickAsync(pick);
        await system.WaitForHistoryAsync(orderId, "Picked");

        Assert.Equal(0, await PickTimeoutTests.DeadlineRowsAsync(system, orderId)); // deleted in the transaction that recorded the pick: it will not fire
        await system.WaitForStatusAsync(orderId, "Shipped");
        Assert.DoesNotContain("Cancelled", (await system.OrderAsync(orderId)).HistoryStatuses());
    }

    [Fact]
    public async Task A_customer_cancel_while_the_pick_waits_cancels_the_pick_timer()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
        await system.PendingPickAsync(orderId);
        Assert.Equal(1, await PickTimeoutTests.DeadlineRowsAsync(system, orderId));

        Assert.Equal(HttpStatusCode.Accepted, await system.CancelAsync(orderId));

        var order = await system.WaitForStatusAsync(orderId, "Cancelled");
        Assert.Equal("CustomerCancelled", order["history"]!.AsArray().Last()!["reason"]!.GetValue<string>());
        Assert.Equal(0, await PickTimeoutTests.DeadlineRowsAsync(system, orderId));
    }

    [Fact]
    public async Task A_shipped_order_cannot_be_cancelled()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
        await system.CompletePickAsync(await system.PendingPickAsync(orderId));
        await system.WaitForStatusAsync(orderId, "Shipped");

        Assert.Equal(HttpStatusCode.Conflict, await system.CancelAsync(orderId));
        Assert.Equal(HttpStatusCode.NotFound, await system.CancelAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Completing_a_pick_twice_answers_the_same_and_picks_once()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 2), Requests.NewKey());
        var pick = await system.PendingPickAsync(orderId);

        Assert.Equal(HttpStatusCode.Accepted, await system.CompletePickAsync(pick));
        Assert.Equal(HttpStatusCode.Accepted, await system.CompletePickAsync(pick));

        await system.WaitForStatusAsync(orderId, "Shipped");
        Assert.Equal(8, (await system.StockOfAsync(sku))["onHand"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, await system.CompletePickAsync(Guid.NewGuid()));
    }
}
