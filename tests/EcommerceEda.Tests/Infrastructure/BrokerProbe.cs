using RabbitMQ.Client;

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
