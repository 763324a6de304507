using System.Diagnostics;
using System.Text.Json;
using Dapper;
using EcommerceEda.Messaging.Faults;
using EcommerceEda.Messaging.Tracing;
using EcommerceEda.ServiceDefaults.Postgres;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EcommerceEda.Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows to the broker. It claims a batch with <c>FOR UPDATE SKIP LOCKED</c>
/// (instances share the work, none publishes a row another holds), publishes each row with its id as
/// the message id and waits for the publisher confirms, then marks the confirmed rows sent in the same
/// transaction. It never gives up: while the broker or the database is down it retries with backoff.
/// A crash after a confirm but before the commit publishes the row again; consumers' inboxes drop it.
/// A row that fails on its own (an undeclared type, a body that no longer deserializes) is pushed back
/// by its own backoff and retried forever, without holding up the rows behind it.
/// </summary>
internal sealed partial class OutboxRelay(
    NpgsqlDataSource db,
    IBus bus,
    OutgoingMessages outgoing,
    Streams.EventStreamTopology eventStream,
    MessagingMetrics metrics,
    FaultInjection faults,
    IOptions<OutboxRelayOptions> options,
    TimeProvider clock,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private const string ClaimSql = """
        SELECT id AS Id, message_type AS MessageType, destination AS Destination, body::text AS Body, trace_parent AS TraceParent,
               created_at AS CreatedAt, attempts AS Attempts
        FROM outbox_messages
        WHERE sent_at IS NULL AND not_before <= now()
        ORDER BY not_before, id
        LIMIT @BatchSize
        FOR UPDATE SKIP LOCKED
        """;

    private const string MarkSentSql = "UPDATE outbox_messages SET sent_at = now() WHERE id = ANY(@Ids)";

    private const string PostponeSql = """
        UPDATE outbox_messages AS o
        SET attempts = o.attempts + 1, last_error = f.error, not_before = now() + f.delay
        FROM unnest(@Ids, @Delays, @Errors) AS f(id, delay, error)
        WHERE o.id = f.id
        """;

    // Fault injection only: rows held back, or published and left unsent so that they are published again.
    private const string HoldBackSql = "UPDATE outbox_messages SET not_before = now() + interval '1 second' WHERE id = ANY(@Ids)";

    // Due rows are someone's to claim now (ours or, under SKIP LOCKED, another instance's): only future ones set a timer.
    private const string NextDueSql = """
        SELECT extract(epoch FROM min(not_before) - now())::float8 FROM outbox_messages
        WHERE sent_at IS NULL AND not_before > now()
        """;

    // Finishing a batch the broker has confirmed must not be cut short by shutdown, or it is published twice.
    private static readonly TimeSpan FinishTimeout = TimeSpan.FromSeconds(10);

    private readonly OutboxRelayOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var notifications = new PostgresNotifications(db, "outbox_messages", logger);
        var listening = notifications.ListenAsync(stoppingToken);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (claimed, nextDue) = await PublishBatchAsync(stoppingToken);
                failures = 0;
                if (claimed == _options.BatchSize)
                {
                    continue; // more may be waiting
                }

                await notifications.WaitAsync(WakeUpAfter(nextDue), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                var delay = Backoff(++failures);
                LogRetrying(exception, delay.TotalMilliseconds);
                await Task.Delay(delay, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await listening;
    }

    /// <summary>
    /// Publishes one batch and returns how many rows it claimed, and in how many seconds the next scheduled row
    /// falls due (null: none). Rows the broker confirmed are marked sent; rows that failed are pushed back by
    /// their own backoff. Throws when none could be published.
    /// </summary>
    private async Task<(int Claimed, double? NextDue)> PublishBatchAsync(CancellationToken cancellationToken)
    {
        await eventStream.EnsureAvailableAsync(cancellationToken); // so every event also lands in the stream

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            ClaimSql, new { _options.BatchSize }, tx, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            metrics.Idle();
            return (0, await NextDueAsync(connection, tx, cancellationToken));
        }

        metrics.Claimed(rows.Count, clock.GetUtcNow() - rows.Min(r => r.CreatedAt));
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
        using var finish = new CancellationTokenSource(FinishTimeout);
        await connection.ExecuteAsync(new CommandDefinition(
            MarkSentSql, new { Ids = sent.Select(r => r.Id).ToArray() }, tx, cancellationToken: finish.Token));
        if (heldBack.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                HoldBackSql, new { Ids = heldBack.Select(r => r.Id).ToArray() }, tx, cancellationToken: finish.Token));
        }

        if (failed.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(PostponeSql, new
            {
                Ids = failed.Select(f => f.Row.Id).ToArray(),
                Delays = failed.Select(f => Backoff(f.Row.Attempts + 1)).ToArray(),
                Errors = failed.Select(f => $"{f.Error!.GetType().Name}: {f.Error.Message}").ToArray(),
            }, tx, cancellationToken: finish.Token));
        }

        var nextDue = await NextDueAsync(connection, tx, finish.Token);
        await tx.CommitAsync(finish.Token);
        var now = clock.GetUtcNow();
        metrics.Published(sent.Count, sent.Select(r => now - r.CreatedAt));
        if (failed.Count > 0 && failed.Count == publishing.Count)
        {
            throw new AggregateException("No outbox message of the batch could be published.", failed.Select(f => f.Error!));
        }

        if (failed.Count > 0)
        {
            LogSomeFailed(failed[0].Error!, failed.Count, publishing.Count);
        }

        return (rows.Count, nextDue);
    }

    private async Task<Exception?> TryPublishAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        try
        {
            var type = outgoing.TypeOf(row.MessageType);
            var message = JsonSerializer.Deserialize(row.Body, type, MessageJson.Options)!;
            using var span = FlowTrace.StartMessageSpan($"outbox relay {type.Name}", ActivityKind.Internal, row.TraceParent, row.Id);
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
    private static List<OutboxRow> HoldBack(List<OutboxRow> rows, Func<bool> picks, List<OutboxRow> held)
    {
        var kept = new List<OutboxRow>(rows.Count);
        foreach (var row in rows)
        {
            (picks() ? held : kept).Add(row);
        }

        return kept;
    }

    // In the claim's transaction: one round trip less than asking afterwards, and no commit of its own.
    private static Task<double?> NextDueAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<double?>(new CommandDefinition(NextDueSql, transaction: tx, cancellationToken: cancellationToken));

    private TimeSpan WakeUpAfter(double? nextDueSeconds) =>
        nextDueSeconds is { } due && due < _options.PollInterval.TotalSeconds
            ? TimeSpan.FromSeconds(Math.Max(due, 0.01))
            : _options.PollInterval;

    private TimeSpan Backoff(int failures)
    {
        var exponential = TimeSpan.FromMilliseconds(100 * Math.Pow(2, Math.Min(failures - 1, 16)));
        var capped = exponential < _options.MaxRetryDelay ? exponential : _options.MaxRetryDelay;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    private sealed record OutboxRow(
        Guid Id, string MessageType, string? Destination, string Body, string? TraceParent, DateTime CreatedAt, int Attempts);

    [LoggerMessage(LogLevel.Warning, "{Failed} of {Claimed} outbox messages were not published; each is retried after its own backoff")]
    private partial void LogSomeFailed(Exception first, int failed, int claimed);

    [LoggerMessage(LogLevel.Warning, "Outbox relay could not publish; retrying in {DelayMs:0} ms")]
    private partial void LogRetrying(Exception exception, double delayMs);
}
