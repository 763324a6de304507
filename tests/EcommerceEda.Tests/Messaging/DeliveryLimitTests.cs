using System.Text;
using EcommerceEda.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// A message that crashes its consumer's process never reaches MassTransit's error handling: each crash
/// returns it to the queue. RabbitMQ counts the returns and, past <c>x-delivery-limit</c>, dead-letters it
/// into the same <c>{queue}_error</c>, instead of letting it crash every instance forever.
/// </summary>
public sealed class DeliveryLimitTests(TestSystem system) : IClassFixture<TestSystem>
{
    private const string Queue = "support-priority-follow-up";

    [Fact]
    public async Task A_message_returned_to_its_queue_past_the_delivery_limit_is_dead_lettered_by_RabbitMQ()
    {
        await system.Support.DisposeAsync(); // nothing consumes the queue now but the "crashing" channel below
        var placed = TestMessages.OrderPlaced("SKU-X", quantity: 1);
        await system.Orders.Services.GetRequiredService<IBus>().Publish(
            placed, context => context.MessageId = placed.Metadata.EventId, TestContext.Current.CancellationToken);
        await Eventually.Until(() => BrokerProbe.ReadyCountAsync(system.BrokerUri, Queue), ready => ready == 1);

        await using var connection = await new ConnectionFactory { Uri = new Uri(system.BrokerUri) }
            .CreateConnectionAsync(TestContext.Current.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        var deliveries = 0;
        while (await channel.BasicGetAsync(Queue, autoAck: false, TestContext.Current.CancellationToken) is { } delivery)
        {
            deliveries++;
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, TestContext.Current.CancellationToken);
            Assert.True(deliveries <= 10, "the delivery limit did not stop the redeliveries");
        }

        Assert.Equal(6, deliveries); // the first delivery and 5 returns: x-delivery-limit
        await Eventually.Until(() => system.DeadLetterCountAsync(Queue), count => count == 1);
        var deadLetter = await BrokerProbe.TakeAsync(system.BrokerUri, $"{Queue}_error");
        Assert.Equal(placed.Metadata.EventId.ToString(), deadLetter!.BasicProperties.MessageId);
        Assert.Equal("delivery_limit", Encoding.UTF8.GetString((byte[])deadLetter.BasicProperties.Headers!["x-first-death-reason"]!));
    }
}
