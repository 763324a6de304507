using System.Net;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Fulfillment;

/// <summary>A system whose pick SLA is three seconds.</summary>
public sealed class ShortPickTimeoutSystem(TestInfrastructure infrastructure) : TestSystem(infrastructure)
{
    protected override IReadOnlyDictionary<string, string?> SettingOverrides =>
        new Dictionary<string, string?> { ["Orders:Fulfillment:PickTimeout"] = "00:00:03" };
}

/// <summary>The pick SLA: a durable timer set through the outbox, which fires once, even across a restart.</summary>
public sealed class PickTimeoutTests(ShortPickTimeoutSystem system) : IClassFixture<ShortPickTimeoutSystem>
{
    internal const string DeadlineType = "urn:message:orders:pick-deadline-passed:v1";

    [Fact]
    public async Task An_order_not_picked_in_time_is_cancelled_and_its_stock_released()
    {
        var sku = await system.StockAsync(onHand: 10);

        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 2), Requests.NewKey());

        var order = await system.WaitForStatusAsync(orderId, "Cancelled");
        Assert.Equal("PickTimeout", order["history"]!.AsArray().Last()!["reason"]!.GetValue<string>());
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 0);
    }

    [Fact]
    public async Task A_pick_in_time_cancels_the_timer()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
        var pick = await system.PendingPickAsync(orderId);
        Assert.Equal(1, await DeadlineRowsAsync(orderId)); // set when the stock was reserved, before the pick task was made

        await system.CompletePickAsync(pick);
        await system.WaitForHistoryAsync(orderId, "Picked");

        Assert.Equal(0, await DeadlineRowsAsync(orderId)); // deleted in the transaction that recorded the pick: it cannot fire
        await system.WaitForStatusAsync(orderId, "Shipped");
        Assert.DoesNotContain("Cancelled", (await system.OrderAsync(orderId)).HistoryStatuses());
    }

    [Fact]
    public async Task An_order_cancelled_while_it_waits_for_its_pick_cancels_the_timer()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
        await system.PendingPickAsync(orderId);
        Assert.Equal(1, await DeadlineRowsAsync(orderId));

        Assert.Equal(HttpStatusCode.Accepted, await system.CancelAsync(orderId));

        var order = await system.WaitForStatusAsync(orderId, "Cancelled");
        Assert.Equal("CustomerCancelled", order["history"]!.AsArray().Last()!["reason"]!.GetValue<string>());
        Assert.Equal(0, await DeadlineRowsAsync(orderId));
    }

    private Task<int> DeadlineRowsAsync(Guid orderId) =>
        system.ScalarAsync<int>(
            "orders",
            "SELECT count(*) FROM outbox_messages WHERE message_type = @DeadlineType AND body->>'orderId' = @Id",
            new { DeadlineType, Id = orderId.ToString() });

    internal static Task<bool> DeadlineSentAsync(TestSystem system, Guid orderId) =>
        system.ScalarAsync<bool>(
            "orders",
            "SELECT EXISTS (SELECT 1 FROM outbox_messages WHERE message_type = @DeadlineType AND body->>'orderId' = @Id AND sent_at IS NOT NULL)",
            new { DeadlineType, Id = orderId.ToString() });
}
