using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace EcommerceEda.Messaging.Streams;

/// <summary>
/// The one RabbitMQ stream every event lands in: a stream queue bound to the <c>events</c> exchange, which
/// every event's exchange is bound to (all events implement <see cref="IEvent"/>). Unlike a queue, a stream
/// keeps its events after they are read (for <c>Messaging:Stream:MaxAge</c>), and each reader keeps its own
/// offset, so a reader can resume where it stopped or replay from the start.
/// </summary>
public sealed partial class EventStreamTopology(IConfiguration configuration, ILogger<EventStreamTopology> logger) : IDisposable
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

            await DeclareAsync(_watch, cancellationToken);
            _available = _watch.IsOpen;
        }
        finally
        {
            _declaring.Release();
        }
    }

    private async Task DeclareAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            // Declared exactly as MassTransit declares a message exchange, so both agree.
            await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            try
            {
                await channel.QueueDeclareAsync(Name, durable: true, exclusive: false, autoDelete: false, Arguments(), cancellationToken: cancellationToken);
            }
            catch (OperationInterruptedException exception) when (exception.ShutdownReason?.ReplyCode == Constants.PreconditionFailed)
            {
                // The stream exists with other settings (they changed since it was declared): it keeps its own, and every
                // service must still publish to it and read it. A passive declare, on a new channel as the broker closed
                // this one, checks that it is running all the same.
                LogDeclaredOtherwise(exception.ShutdownReason.ReplyText);
                await channel.DisposeAsync();
                channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                await channel.QueueDeclarePassiveAsync(Name, cancellationToken);
            }

            await channel.QueueBindAsync(Name, Exchange, routingKey: "", cancellationToken: cancellationToken);
        }
        finally
        {
            await channel.DisposeAsync();
        }
    }

    // Retention removes whole segments, once all their events are older than MaxAge: the broker's default segment, 500 MB,
    // keeps a small system's events far longer. Both apply when the stream is declared; an existing stream's retention
    // changes through a policy (max-age).
    private Dictionary<string, object?> Arguments()
    {
        var arguments = new Dictionary<string, object?>
        {
            ["x-queue-type"] = "stream",
            ["x-max-age"] = configuration["Messaging:Stream:MaxAge"] ?? "30D",
        };
        if (configuration.GetValue<long?>("Messaging:Stream:MaxSegmentSize") is { } bytes)
        {
            arguments["x-stream-max-segment-size-bytes"] = bytes;
        }

        return arguments;
    }

    /// <summary>Has the next <see cref="EnsureAvailableAsync"/> declare the stream again: a reader saw it deleted.</summary>
    internal void Redeclare() => _available = false;

    /// <inheritdoc />
    public void Dispose()
    {
        _watch?.Dispose();
        _declaring.Dispose();
    }

    [LoggerMessage(
        LogLevel.Warning,
        "The event stream exists with settings other than Messaging:Stream's, and keeps them ({Reason}): change an existing "
            + "stream's retention with a policy")]
    private partial void LogDeclaredOtherwise(string reason);

    internal Task<IConnection> ConnectAsync(string name, CancellationToken cancellationToken) =>
        BrokerConnection.ConnectAsync(configuration, name, cancellationToken);
}
