using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace EcommerceEda.Messaging.Streams;

/// <summary>
/// The one RabbitMQ stream every event lands in: a stream queue bound to the <c>events</c> exchange, which
/// every event's exchange is bound to (all events implement <see cref="IEvent"/>). Unlike a queue, a stream
/// keeps its events after they are read (for <c>Messaging:Stream:MaxAge</c>), and each reader keeps its own
/// offset, so a reader can resume where it stopped or replay from the start.
/// </summary>
public sealed class EventStreamTopology(IConfiguration configuration) : IDisposable
{
    /// <summary>The stream queue.</summary>
    public const string Name = "events";

    /// <summary>The exchange of <see cref="IEvent"/> (its <c>[MessageUrn]</c> names it).</summary>
    public const string Exchange = "events";

    private readonly SemaphoreSlim _declaring = new(1, 1);
    private volatile bool _declared;

    /// <summary>
    /// Declares the stream and binds it, once per process; the relay calls it before publishing, so no
    /// event is published before the stream can take it.
    /// </summary>
    public async Task EnsureDeclaredAsync(CancellationToken cancellationToken)
    {
        if (_declared)
        {
            return;
        }

        await _declaring.WaitAsync(cancellationToken);
        try
        {
            if (!_declared)
            {
                await using var connection = await ConnectAsync("stream-topology", cancellationToken);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                // Declared exactly as MassTransit declares a message exchange, so both agree.
                await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
                await channel.QueueDeclareAsync(Name, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
                {
                    ["x-queue-type"] = "stream",
                    ["x-max-age"] = configuration["Messaging:Stream:MaxAge"] ?? "30D",
                }, cancellationToken: cancellationToken);
                await channel.QueueBindAsync(Name, Exchange, routingKey: "", cancellationToken: cancellationToken);
                _declared = true;
            }
        }
        finally
        {
            _declaring.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _declaring.Dispose();

    internal async Task<IConnection> ConnectAsync(string name, CancellationToken cancellationToken) =>
        await new ConnectionFactory
        {
            Uri = new Uri(configuration.GetConnectionString(MessagingExtensions.BrokerConnectionName)!),
            ClientProvidedName = name,
        }.CreateConnectionAsync(cancellationToken);
}
