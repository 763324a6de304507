using Microsoft.Extensions.Configuration;
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
    private IConnection? _watch;
    private volatile bool _available;

    /// <summary>
    /// Declares the stream and binds it, and returns at once while it is known to be running. The relay calls it
    /// before every batch, so no event is published before the stream can take it: after the broker restarts,
    /// a publish routed to a stream whose member has not started yet is confirmed without being stored
    /// (RabbitMQ 3.10; the declare answers 404 "home node ... is down" meanwhile, and this throws). A connection
    /// of its own watches the broker: when it closes, the stream is declared again before the next batch.
    /// </summary>
    public async Task EnsureAvailableAsync(CancellationToken cancellationToken)
    {
        if (_available)
        {
            return;
        }

        await _declaring.WaitAsync(cancellationToken);
        try
        {
            if (_available)
            {
                return;
            }

            if (_watch is not { IsOpen: true })
            {
                if (_watch is not null)
                {
                    await _watch.DisposeAsync();
                }

                _watch = await ConnectAsync("stream-topology", cancellationToken);
                _watch.ConnectionShutdownAsync += (_, _) =>
                {
                    _available = false;
                    return Task.CompletedTask;
                };
            }

            await using var channel = await _watch.CreateChannelAsync(cancellationToken: cancellationToken);
            // Declared exactly as MassTransit declares a message exchange, so both agree.
            await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(Name, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
            {
                ["x-queue-type"] = "stream",
                ["x-max-age"] = configuration["Messaging:Stream:MaxAge"] ?? "30D",
            }, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(Name, Exchange, routingKey: "", cancellationToken: cancellationToken);
            _available = _watch.IsOpen;
        }
        finally
        {
            _declaring.Release();
        }
    }

    /// <summary>Has the next <see cref="EnsureAvailableAsync"/> declare the stream again: a reader saw it deleted.</summary>
    internal void Redeclare() => _available = false;

    /// <inheritdoc />
    public void Dispose()
    {
        _watch?.Dispose();
        _declaring.Dispose();
    }

    internal Task<IConnection> ConnectAsync(string name, CancellationToken cancellationToken) =>
        BrokerConnection.ConnectAsync(configuration, name, cancellationToken);
}
