using System.Diagnostics;
using System.Text.Json;
using Dapper;
using EcommerceEda.Messaging.Faults;
using EcommerceEda.Messaging.Tracing;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EcommerceEda.Messaging.Outbox;

/// <summary>
/// Publishes outbox rows to the broker, each with its id as the message id, and waits for the publisher confirms.
/// Both ways out of the outbox use it: the dispatcher right after a unit of work commits, the relay for whatever is
/// due and unsent. What became of each row is an <see cref="OutboxOutcome"/>, which the caller writes back.
/// </summary>
internal sealed partial class OutboxPublisher(
    IBus bus,
    OutgoingMessages outgoing,
    Streams.EventStreamTopology eventStream,
    MessagingMetrics metrics,
    FaultInjection faults,
    IOptions<OutboxRelayOptions> options,
    TimeProvider clock,
    ILogger<OutboxPublisher> logger)
{
    private readonly OutboxRelayOptions _options = options.Value;

    /// <summary>
    /// Publishes <paramref name="rows"/> at once. Throws, publishing nothing, while the event stream cannot be declared
    /// (every event must also land in it); otherwise each row is confirmed, held back by fault injection, or failed.
    /// </summary>
    public async Task<OutboxOutcome> PublishAsync(IReadOnlyList<OutboxRow> rows, CancellationToken cancellationToken)
    {
        await eventStream.EnsureAvailableAsync(cancellationToken);
        var heldBack = new List<OutboxRow>();
        var publishing = HoldBack(rows, faults.Delays, heldBack);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        var outcomes = await Task.WhenAll(publishing.Select(row => TryPublishAsync(row, timeout.Token)));
        var confirmed = publishing.Where((_, i) => outcomes[i] is null).ToList();
        var failed = publishing.Select((row, i) => (Row: row, Error: outcomes[i])).Where(f => f.Error is not null).ToList();
        if (confirmed.Count > 0)
        {
            faults.CrashIfArmed(CrashPoint.RelayAfterConfirm);
        }

        var sent = HoldBack(confirmed, faults.Duplicates, heldBack);
        var now = clock.GetUtcNow();
        metrics.Published(sent.Count, sent.Select(r => now - r.CreatedAt));
        if (failed.Count > 0 && failed.Count < publishing.Count)
        {
            LogSomeFailed(failed[0].Error!, failed.Count, publishing.Count);
        }

        return new OutboxOutcome(
            [.. sent.Select(r => r.Id)],
            [.. heldBack.Select(r => r.Id)],
            [.. failed.Select(f => new FailedRow(f.Row.Id, Backoff(f.Row.Attempts + 1), f.Error!))]);
    }

    /// <summary>The pause before retry number <paramref name="failures"/>: exponential from 100 ms, capped, with jitter.</summary>
    public TimeSpan Backoff(int failures)
    {
        var exponential = TimeSpan.FromMilliseconds(100 * Math.Pow(2, Math.Min(failures - 1, 16)));
        var capped = exponential < _options.MaxRetryDelay ? exponential : _options.MaxRetryDelay;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    private async Task<Exception?> TryPublishAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        try
        {
            var type = outgoing.TypeOf(row.MessageType);
            var message = JsonSerializer.Deserialize(row.Body, type, MessageJson.Options)!;
            using var span = FlowTrace.StartMessageSpan($"outbox publish {type.Name}", ActivityKind.Internal, row.TraceParent, row.Id);
            if (row.Destination is null)
            {
                await bus.Publish(message, type, context => context.MessageId = row.Id, cancellationToken);
            }
            else
            {
                // Mandatory: until the owner's queue is bound, the broker returns the command and the row is retried.
                var endpoint = await bus.GetSendEndpoint(new Uri(row.Destination));
                await endpoint.Send(message, type, Pipe.Execute<SendContext>(context =>
                {
                    context.MessageId = row.Id;
                    if (context.TryGetPayload(out RabbitMqSendContext? rabbitMq))
                    {
                        rabbitMq.Mandatory = true;
                    }
                }), cancellationToken);
            }

            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    // Fault injection: the rows it picks go to held (published later, again for a confirmed one); the rest are returned.
    private static List<OutboxRow> HoldBack(IEnumerable<OutboxRow> rows, Func<bool> picks, List<OutboxRow> held)
    {
        var kept = new List<OutboxRow>();
        foreach (var row in rows)
        {
            (picks() ? held : kept).Add(row);
        }

        return kept;
    }

    [LoggerMessage(LogLevel.Warning, "{Failed} of {Claimed} outbox messages were not published; each is retried after its own backoff")]
    private partial void LogSomeFailed(Exception first, int failed, int claimed);
}

/// <summary>An outbox row on its way to the broker.</summary>
/// <param name="Id">The row's id, the message id on the wire.</param>
/// <param name="MessageType">The message's URN.</param>
/// <param name="Destination">The owner's queue of a command; null for an event.</param>
/// <param name="Body">The message, as JSON.</param>
/// <param name="TraceParent">The W3C traceparent of the unit of work that wrote it.</param>
/// <param name="CreatedAt">When it was written (UTC).</param>
/// <param name="Attempts">Publishes that failed so far.</param>
internal sealed record OutboxRow(
    Guid Id, string MessageType, string? Destination, string Body, string? TraceParent, DateTime CreatedAt, int Attempts);

/// <summary>A row the broker did not confirm, and when it is due again.</summary>
internal sealed record FailedRow(Guid Id, TimeSpan Delay, Exception Error);

/// <summary>What became of published rows: confirmed (sent), held back about a second by fault injection, or failed.</summary>
internal sealed record OutboxOutcome(IReadOnlyList<Guid> Sent, IReadOnlyList<Guid> HeldBack, IReadOnlyList<FailedRow> Failed)
{
    // The commit need not wait for the disk: see RecordAsync.
    private const string MarkSentSql = """
        SET LOCAL synchronous_commit = off;
        UPDATE outbox_messages SET sent_at = now() WHERE id = ANY(@Ids)
        """;

    // Fault injection only: rows held back, or published and left unsent so that they are published again.
    private const string HoldBackSql = "UPDATE outbox_messages SET not_before = now() + interval '1 second' WHERE id = ANY(@Ids)";

    // The notification (delivered at the commit) wakes the relays to set their timers by these rows: the
    // dispatcher's failures are due again in a moment, long before a relay's next poll.
    private const string PostponeSql = """
        UPDATE outbox_messages AS o
        SET attempts = o.attempts + 1, last_error = f.error, not_before = now() + f.delay
        FROM unnest(@Ids, @Delays, @Errors) AS f(id, delay, error)
        WHERE o.id = f.id;
        SELECT pg_notify('outbox_messages', '')
        """;

    /// <summary>True when rows were published and not one was confirmed or held back.</summary>
    public bool AllFailed => Failed.Count > 0 && Sent.Count == 0 && HeldBack.Count == 0;

    /// <summary>The outcomes of several publishes, to be written back together.</summary>
    public static OutboxOutcome Combine(IReadOnlyCollection<OutboxOutcome> outcomes) =>
        new([.. outcomes.SelectMany(o => o.Sent)], [.. outcomes.SelectMany(o => o.HeldBack)], [.. outcomes.SelectMany(o => o.Failed)]);

    /// <summary>
    /// Writes the outcome back in <paramref name="tx"/>, whose commit need not wait for the disk: were it lost in a
    /// crash of the database, its rows would only be published again, and consumers' inboxes drop the copies.
    /// </summary>
    public async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(MarkSentSql, new { Ids = Sent.ToArray() }, tx, cancellationToken: cancellationToken));

        if (HeldBack.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(HoldBackSql, new { Ids = HeldBack.ToArray() }, tx, cancellationToken: cancellationToken));
        }

        if (Failed.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(PostponeSql, new
            {
                Ids = Failed.Select(f => f.Id).ToArray(),
                Delays = Failed.Select(f => f.Delay).ToArray(),
                Errors = Failed.Select(f => $"{f.Error.GetType().Name}: {f.Error.Message}").ToArray(),
            }, tx, cancellationToken: cancellationToken));
        }
    }
}
