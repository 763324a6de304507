using EcommerceEda.Messaging.Streams;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.DependencyInjection;

namespace EcommerceEda.Tests.Messaging;

/// <summary>Stops the shared broker, so it runs alone, after the tests that run in parallel.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class BrokerOutage;

/// <summary>The outbox holds what was committed while the broker was away, and the relay delivers it all after.</summary>
[Collection(typeof(BrokerOutage))]
public sealed class BrokerOutageTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task Orders_placed_while_the_broker_is_stopped_are_all_delivered_after_it_restarts()
    {
        var sku = await system.StockAsync(onHand: 50);
        var stream = system.Orders.Services.GetRequiredService<EventStreamTopology>();
        await stream.EnsureAvailableAsync(TestContext.Current.CancellationToken);
        await system.Infrastructure.StopRabbitMqAsync();
        Guid[] orderIds;
        try
        {
            // The relay asks before every batch: once the broker went away, the stream is not taken for running until
            // it was declared again, since a restarted broker confirms events routed to a starting stream and drops them.
            await Eventually.Until(() => ThrowsAsync(() => stream.EnsureAvailableAsync(TestContext.Current.CancellationToken)), thrown => thrown);

            orderIds = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
                system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey())));

            Assert.Equal(5, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM outbox_messages WHERE message_type = 'urn:message:orders:order-placed:v1' AND sent_at IS NULL"));
        }
        finally
        {
            await system.Infrastructure.StartRabbitMqAsync();
        }

        var reconnect = TimeSpan.FromSeconds(90); // MassTransit reconnects with backoff up to 30 s
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 5, reconnect);
        foreach (var orderId in orderIds)
        {
            await Eventually.Until(() => system.TimelineAsync(orderId), timeline => timeline is not null, reconnect);
        }

        await Eventually.Until(
            () => system.ScalarAsync<int>("orders", "SELECT count(*) FROM outbox_messages WHERE message_type = 'urn:message:orders:order-placed:v1' AND sent_at IS NULL"),
            unsent => unsent == 0);
    }

    private static async Task<bool> ThrowsAsync(Func<Task> action)
    {
        try
        {
            await action();
            return false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return true;
        }
    }
}
