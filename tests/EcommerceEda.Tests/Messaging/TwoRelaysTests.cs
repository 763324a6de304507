using EcommerceEda.Orders.Features.PlaceOrder;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// Runs a second replica of a service, so it runs alone, after the tests that run in parallel: beside them it has
/// stopped short a few times in fresh-clone CI (27 of 40 orders reserved), which the diagnostics below are for.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class Replicas;

/// <summary>Two instances of Orders, each with its relay, on one outbox.</summary>
[Collection(typeof(Replicas))]
public sealed class TwoRelaysTests(TestSystem system) : IClassFixture<TestSystem>
{
    private const string OrderPlacedExchange = "orders:order-placed:v1";

    [Fact]
    public async Task Two_relays_on_one_outbox_publish_every_message_once()
    {
        await using var probe = await BrokerProbe.BindAsync(system.BrokerUri, OrderPlacedExchange);
        await using var secondOrders = system.NewHost<PlaceOrderHandler>("orders");
        await TestSystem.WaitUntilHealthyAsync(secondOrders.CreateClient());
        var sku = await system.StockAsync(onHand: 1_000);

        var orderIds = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ =>
            system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey())));

        try
        {
            await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 40);
        }
        catch (TimeoutException timeout)
        {
            // Under the full parallel suite this has stopped short (27 of 40) a few times: say where the rest are.
            throw new TimeoutException($"{timeout.Message}; {await WhereAreTheOrdersAsync(orderIds)}", timeout);
        }

        await Eventually.Until(
            () => system.ScalarAsync<int>("orders", "SELECT count(*) FROM outbox_messages WHERE message_type = 'urn:message:orders:order-placed:v1' AND sent_at IS NULL"),
            unsent => unsent == 0);
        var published = await probe.TakeMessageIdsAsync();
        Assert.Equal(40, published.Count);
        Assert.Equal(40, published.Distinct().Count());
        Assert.Equal(40, orderIds.Distinct().Count());
    }

    private async Task<string> WhereAreTheOrdersAsync(Guid[] orderIds)
    {
        var ids = orderIds.Select(id => id.ToString()).ToArray();
        var unsent = await system.ScalarAsync<string>("orders", """
            SELECT string_agg(message_type || ' attempts ' || attempts || ' ' || coalesce(left(last_error, 200), ''), ' | ')
            FROM outbox_messages WHERE sent_at IS NULL AND body->>'orderId' = ANY(@Ids)
            """, new { Ids = ids });
        var sagas = await system.ScalarAsync<string>(
            "orders", "SELECT string_agg(current_state || ' ' || n, ', ') FROM (SELECT current_state, count(*) n FROM order_sagas WHERE correlation_id::text = ANY(@Ids) GROUP BY 1) s", new { Ids = ids });
        var reservations = await system.ScalarAsync<int>("warehouse", "SELECT count(*) FROM reservations WHERE order_id::text = ANY(@Ids)", new { Ids = ids });
        var inbox = await system.ScalarAsync<string>("orders", "SELECT string_agg(consumer || ' ' || n, ', ') FROM (SELECT consumer, count(*) n FROM inbox_messages GROUP BY 1) s");
        var dead = $"orders-fulfillment_error {await system.DeadLetterCountAsync("orders-fulfillment")}, warehouse-reserve-stock_error {await system.DeadLetterCountAsync("warehouse-reserve-stock")}";
        var skipped = $"orders-fulfillment_skipped {await system.SkippedCountAsync("orders-fulfillment")}, warehouse-reserve-stock_skipped {await system.SkippedCountAsync("warehouse-reserve-stock")}";
        return $"unsent: [{unsent}]; sagas: [{sagas}]; reservations: {reservations}; inbox: [{inbox}]; {dead}; {skipped}";
    }

}
