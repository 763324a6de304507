using EcommerceEda.LoadTests.Target;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace EcommerceEda.LoadTests.Baselines;

/// <summary>
/// RabbitMQ messages per second through one quorum queue: 1 KB persistent messages, each publish awaiting its
/// publisher confirm, one consumer acknowledging each message. A worker is one publisher with one message in flight.
/// </summary>
public static class BrokerBaseline
{
    private static readonly ReadOnlyMemory<byte> Body = new byte[1024];

    /// <summary>Measures at growing numbers of publishers and deletes the queue afterwards.</summary>
    public static async Task<BaselineResult> MeasureAsync(SystemUnderTest system, Action<BaselineLevel> progress, CancellationToken cancellationToken)
    {
        var queue = $"eda-baseline-{Guid.NewGuid():N}";
        var factory = new ConnectionFactory { Uri = system.Broker, ClientProvidedName = "load-tests baseline" };

        // Publishers and the consumer on connections of their own, as RabbitMQ advises: flow control that slows
        // the publishers' connection must not hold up the consumer's acknowledgements.
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var consumerConnection = await factory.CreateConnectionAsync(cancellationToken);
        await using var consuming = await consumerConnection.CreateChannelAsync(cancellationToken: cancellationToken);
        await consuming.QueueDeclareAsync(
            queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
        try
        {
            await consuming.BasicQosAsync(0, 256, global: false, cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(consuming);
            consumer.ReceivedAsync += (_, delivery) => consuming.BasicAckAsync(delivery.DeliveryTag, multiple: false).AsTask();
            await consuming.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);

            var publishers = new List<IChannel>();
            try
            {
                var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent };
                return await Baseline.MeasureAsync(
                    "RabbitMQ: quorum-queue messages/s with confirms",
                    [1, 4, 16, 64],
                    (worker, token) => publishers[worker].BasicPublishAsync(string.Empty, queue, mandatory: false, properties, Body, token).AsTask(),
                    progress,
                    cancellationToken,
                    prepare: async concurrency =>
                    {
                        while (publishers.Count < concurrency)
                        {
                            publishers.Add(await connection.CreateChannelAsync(
                                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                                cancellationToken));
                        }
                    });
            }
            finally
            {
                foreach (var publisher in publishers)
                {
                    await publisher.DisposeAsync();
                }
            }
        }
        finally
        {
            await consuming.QueueDeleteAsync(queue, cancellationToken: CancellationToken.None);
        }
    }
}
