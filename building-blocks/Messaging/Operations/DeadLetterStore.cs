using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcommerceEda.Messaging.Subscriptions;
using EcommerceEda.Messaging.Topology;
using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace EcommerceEda.Messaging.Operations;

/// <summary>A message in a dead-letter queue, as <c>GET /ops/dead-letters</c> shows it.</summary>
/// <param name="Queue">The work queue it failed on (its dead-letter queue is <c>{Queue}_error</c>).</param>
/// <param name="MessageId">Its message id: the outbox row id, the same on every copy.</param>
/// <param name="MessageType">Its URN.</param>
/// <param name="Reason"><c>failed</c> (out of attempts), <c>expired</c> (past MaxEventAge) or RabbitMQ's own
/// reason (<c>delivery_limit</c>) when it was dead-lettered before MassTransit could move it.</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="FirstFailureAt">When the first attempt failed.</param>
/// <param name="LastFailureAt">When the last attempt failed.</param>
/// <param name="Exception">The exception type and message of the last failure.</param>
/// <param name="Payload">The message itself.</param>
public sealed record DeadLetter(
    string Queue,
    string? MessageId,
    string? MessageType,
    string? Reason,
    int? Attempts,
    string? FirstFailureAt,
    string? LastFailureAt,
    string? Exception,
    JsonNode? Payload);

/// <summary>
/// Reads and redrives the service's dead-letter queues over AMQP. Peeking takes messages without
/// acknowledging them and returns them when the channel closes. Redrive publishes each chosen message
/// back to its work queue with a publisher confirm before acknowledging it in the dead-letter queue:
/// none is lost, and a copy published twice after a failure between the two steps has the same message
/// id, which the consumer's inbox drops.
/// </summary>
internal sealed class DeadLetterStore(SubscriptionRegistry subscriptions, IConfiguration configuration)
{
    // Headers that describe the failure: a redriven message starts afresh.
    private static readonly string[] FailureHeaderPrefixes = ["MT-Fault-", "MT-Reason", "x-death", "x-first-death", "x-last-death",
        DeadLetterHeadersFilter.Reason, DeadLetterHeadersFilter.Attempts, DeadLetterHeadersFilter.FirstFailure, DeadLetterHeadersFilter.LastFailure];

    public bool Owns(string queue) => subscriptions.Find(queue) is not null;

    public IEnumerable<string> Queues => subscriptions.All.Select(s => s.Queue).Order(StringComparer.Ordinal);

    public async Task<IReadOnlyList<DeadLetter>> PeekAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        var letters = new List<DeadLetter>();
        foreach (var queue in Queues)
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            var waiting = await CountAsync(connection, QueueTopology.DeadLetterQueue(queue), cancellationToken);
            for (var i = 0; i < waiting && letters.Count < limit; i++)
            {
                if (await channel.BasicGetAsync(QueueTopology.DeadLetterQueue(queue), autoAck: false, cancellationToken) is not { } message)
                {
                    break;
                }

                letters.Add(Describe(queue, message));
            }

            // Closing the channel returns every message taken, unacknowledged, to the dead-letter queue.
        }

        return letters;
    }

    /// <summary>How many messages wait in each dead-letter queue of the service.</summary>
    public async Task<IReadOnlyList<(string DeadLetterQueue, long Depth)>> DepthsAsync(CancellationToken cancellationToken)
    {
        if (!Queues.Any())
        {
            return [];
        }

        await using var connection = await ConnectAsync(cancellationToken);
        var depths = new List<(string, long)>();
        foreach (var queue in Queues)
        {
            var deadLetterQueue = QueueTopology.DeadLetterQueue(queue);
            depths.Add((deadLetterQueue, await CountAsync(connection, deadLetterQueue, cancellationToken)));
        }

        return depths;
    }

    /// <summary>Moves the dead letters of <paramref name="queue"/> (all, or those in <paramref name="messageIds"/>) back to it.</summary>
    public async Task<int> RedriveAsync(string queue, IReadOnlySet<string>? messageIds, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken);
        var deadLetterQueue = QueueTopology.DeadLetterQueue(queue);
        var waiting = await CountAsync(connection, deadLetterQueue, cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
        var redriven = 0;
        for (var i = 0; i < waiting; i++)
        {
            if (await channel.BasicGetAsync(deadLetterQueue, autoAck: false, cancellationToken) is not { } message)
            {
                break;
            }

            if (messageIds is not null && !messageIds.Contains(message.BasicProperties.MessageId ?? ""))
            {
                continue; // left unacknowledged: returned to the dead-letter queue when the channel closes
            }

            // Straight to the work queue through the exchange MassTransit binds to it alone: no other subscriber sees
            // it again. Not through the default exchange, which reaches every queue: services may not publish to it.
            await channel.BasicPublishAsync(queue, "", mandatory: true, Restarted(message.BasicProperties), message.Body, cancellationToken);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            redriven++;
        }

        return redriven;
    }

    private Task<IConnection> ConnectAsync(CancellationToken cancellationToken) =>
        BrokerConnection.ConnectAsync(configuration, "ops", cancellationToken);

    private static async Task<uint> CountAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue closes its channel: use one of its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    private static BasicProperties Restarted(IReadOnlyBasicProperties properties)
    {
        var copy = new BasicProperties(properties);
        copy.Headers = properties.Headers?
            .Where(h => !FailureHeaderPrefixes.Any(prefix => h.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            .ToDictionary(h => h.Key, h => h.Value);
        return copy;
    }

    private static DeadLetter Describe(string queue, BasicGetResult message)
    {
        var headers = message.BasicProperties.Headers ?? new Dictionary<string, object?>();
        string? Header(string name) => headers.TryGetValue(name, out var value) ? Text(value) : null;
        var envelope = TryParse(message.Body.Span);
        var exceptionType = Header("MT-Fault-ExceptionType");
        return new DeadLetter(
            queue,
            message.BasicProperties.MessageId,
            envelope?["messageType"]?[0]?.GetValue<string>(),
            Header(DeadLetterHeadersFilter.Reason) ?? Header("x-first-death-reason"),
            int.TryParse(Header(DeadLetterHeadersFilter.Attempts), out var attempts) ? attempts : null,
            Header(DeadLetterHeadersFilter.FirstFailure),
            Header(DeadLetterHeadersFilter.LastFailure),
            exceptionType is null ? null : $"{exceptionType}: {Header("MT-Fault-Message")}",
            envelope?["message"]?.DeepClone() ?? Encoding.UTF8.GetString(message.Body.Span));
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static JsonNode? TryParse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
