using EcommerceEda.Orders.Features.PlaceOrder;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Fulfillment;

/// <summary>The pick timer survives Orders being down. (This class stops its system's Orders.)</summary>
public sealed class PickTimeoutRestartTests(ShortPickTimeoutSystem system) : IClassFixture<ShortPickTimeoutSystem>
{
    [Fact]
    public async Task A_timer_pending_while_Orders_is_down_fires_once_after_it_restarts()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 2), Requests.NewKey());
        await system.WaitForStatusAsync(orderId, "StockReserved");

        await system.Orders.DisposeAsync();
        await Eventually.Until( // the deadline passes while nothing of Orders runs
            () => system.ScalarAsync<bool>(
                "orders", "SELECT bool_and(not_before < now()) FROM outbox_messages WHERE message_type = @DeadlineType AND body->>'orderId' = @Id",
                new { PickTimeoutTests.DeadlineType, Id = orderId.ToString() }),
            passed => passed);
        await using var restarted = system.NewHost<PlaceOrderHandler>("orders");
        await TestSystem.WaitUntilHealthyAsync(restarted.CreateClient());

        await Eventually.Until(() => PickTimeoutTests.DeadlineSentAsync(system, orderId), sent => sent);
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 0);
        Assert.Single(
            await system.ScalarAsync<string[]>("orders", "SELECT array_agg(status) FROM order_history WHERE order_id = @orderId", new { orderId }) ?? [],
            status => status == "Cancelled");
        Assert.Equal(1, await system.ScalarAsync<int>(
            "orders",
            "SELECT count(*) FROM outbox_messages WHERE message_type = 'urn:message:orders:order-cancelled:v1' AND body->>'orderId' = @Id",
            new { Id = orderId.ToString() }));
    }
}
