using EcommerceEda.Orders.Features.PlaceOrder;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace EcommerceEda.Tests.Messaging;

/// <summary>A replica of a service stopped in the middle of its work, as in a rolling update.</summary>
[Collection(typeof(Replicas))]
public sealed class ReplicaShutdownTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task A_replica_stopped_while_it_consumes_leaves_the_rest_to_the_other_and_dead_letters_nothing()
    {
        var sku = await system.StockAsync(onHand: 1_000);
        MetricCollector<long>? published = null;
        var replica = system.NewHost<PlaceOrderHandler>("orders", services => published = TestMessages.Published(services));
        await TestSystem.WaitUntilHealthyAsync(replica.CreateClient());

        var placing = Task.WhenAll(Enumerable.Range(0, 60).Select(_ => system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey())));
        await published!.WaitForMeasurementsAsync(3, Eventually.DefaultTimeout); // the replica's saga is at work
        await replica.DisposeAsync();
        var orderIds = await placing;

        // Each order's saga took OrderPlaced and StockReserved, on either replica, and asked Warehouse to pick it.
        await Eventually.Until(
            () => system.ScalarAsync<int>("warehouse", "SELECT count(*) FROM pick_tasks WHERE order_id = ANY(@orderIds)", new { orderIds }),
            picks => picks == 60);
        Assert.Equal(0, await system.DeadLetterCountAsync("orders-fulfillment"));
    }
}
