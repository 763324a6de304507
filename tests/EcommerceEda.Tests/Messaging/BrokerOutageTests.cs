using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Messaging;

/// <summary>Stops the shared broker, so it runs alone, after the tests that run in parallel.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class BrokerOutage;

/// <summary>The outbox holds what was committed while the broker was away, and the relay delivers it after.</summary>
[Collection(typeof(BrokerOutage))]
public sealed class BrokerOutageTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task An_order_placed_while_the_broker_is_stopped_is_delivered_after_it_restarts()
    {
        var sku = await system.StockAsync(onHand: 5);
        await system.Infrastructure.StopRabbitMqAsync();
        Guid orderId;
        try
        {
            orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());

            Assert.Equal(1, await system.ScalarAsync<int>(
                "orders", "SELECT count(*) FROM outbox_messages WHERE body->>'orderId' = @Id AND sent_at IS NULL", new { Id = orderId.ToString() }));
        }
        finally
        {
            await system.Infrastructure.StartRabbitMqAsync();
        }

        var reconnect = TimeSpan.FromSeconds(90); // MassTransit reconnects with backoff up to 30 s
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 1, reconnect);
        await Eventually.Until(() => system.TimelineAsync(orderId), timeline => timeline is not null, reconnect);
        Assert.Equal(1, await system.ScalarAsync<int>(
            "orders", "SELECT count(*) FROM outbox_messages WHERE body->>'orderId' = @Id AND sent_at IS NOT NULL", new { Id = orderId.ToString() }));
    }
}
