using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>
/// A queue of the test's own bound to a message exchange: it receives a copy of everything published
/// there, so a test can count what reached the broker, duplicates included.
/// </summary>
public sealed class BrokerProbe : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;

    private BrokerProbe(IConnection connection, IChannel channel, string queue)
    {
        _connection = connection;
        _channel = channel;
        _queue = queue;
    }

    public static async Task<BrokerProbe> BindAsync(string brokerUri, string exchange)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue.QueueName, exchange, routingKey: "");
        return new BrokerProbe(connection, channel, queue.QueueName);
    }

    /// <summary>Takes the next message of <paramref name="queue"/> (any queue of the virtual host), or null.</summary>
    public static async Task<BasicGetResult?> TakeAsync(string brokerUri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await channel.BasicGetAsync(queue, autoAck: true);
    }

    /// <summary>The headers of a message taken from a queue, as text.</summary>
    public static Dictionary<string, string> Headers(BasicGetResult message) =>
        message.BasicProperties.Headers!.ToDictionary(
            h => h.Key,
            h => h.Value switch
            {
                byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
                _ => $"{h.Value}",
            });

    /// <summary>Publishes <paramref name="body"/> as is to <paramref name="exchange"/>: what a faulty producer might send.</summary>
    public static async Task PublishRawAsync(string brokerUri, string exchange, string body, string contentType)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { ContentType = contentType, MessageId = Guid.NewGuid().ToString(), Persistent = true };
        await channel.BasicPublishAsync(exchange, routingKey: "", mandatory: true, properties, System.Text.Encoding.UTF8.GetBytes(body));
    }

    /// <summary>
    /// How many messages are ready in <paramref name="queue"/> (0 when it does not exist), as the broker
    /// answers a passive declare: exact, unlike the management API's statistics, which are sampled.
    /// </summary>
    public static async Task<uint> ReadyCountAsync(string brokerUri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    /// <summary>Deletes <paramref name="queue"/> and everything in it, as a broker that lost its data would have.</summary>
    public static async Task DeleteQueueAsync(string brokerUri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
    }

    /// <summary>The offset of the first event still in <paramref name="stream"/>: what its retention has not removed.</summary>
    public static async Task<long> FirstStreamOffsetAsync(string brokerUri, string stream)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(brokerUri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: 1, global: false);
        var first = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            first.TrySetResult((long)delivery.BasicProperties.Headers!["x-stream-offset"]!);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(
            stream, autoAck: false, consumerTag: "", noLocal: false, exclusive: false,
            arguments: new Dictionary<string, object?> { ["x-stream-offset"] = "first" }, consumer);
        return await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Takes every message waiting in the probe and returns their message ids.</summary>
    public async Task<IReadOnlyList<string>> TakeMessageIdsAsync()
    {
        var ids = new List<string>();
        while (await _channel.BasicGetAsync(_queue, autoAck: true) is { } message)
        {
            ids.Add(message.BasicProperties.MessageId ?? "");
        }

        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
