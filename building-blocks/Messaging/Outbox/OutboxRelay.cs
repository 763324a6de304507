using Dapper;
using EcommerceEda.ServiceDefaults.Postgres;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EcommerceEda.Messaging.Outbox;

/// <summary>
/// Publishes the committed outbox rows that are due and unsent: scheduled messages once their time comes, and
/// whatever the <see cref="OutboxDispatcher"/> did not publish right after its commit (the broker was away, the
/// process died). It claims a batch with <c>FOR UPDATE SKIP LOCKED</c> (instances share the work, none publishes
/// a row another holds), publishes each row with its id as the message id and waits for the publisher confirms,
/// then marks the confirmed rows sent in the same transaction. It never gives up: while the broker or the
/// database is down it retries with backoff.
/// A crash after a confirm but before the commit publishes the row again; consumers' inboxes drop it.
/// A row that fails on its own (an undeclared type, a body that no longer deserializes) is pushed back
/// by its own backoff and retried forever, without holding up the rows behind it.
/// </summary>
internal sealed partial class OutboxRelay(
    NpgsqlDataSource db,
    OutboxPublisher publisher,
    MessagingMetrics metrics,
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
                var delay = publisher.Backoff(++failures);
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
        var outcome = await publisher.PublishAsync(rows, cancellationToken);
        using var finish = new CancellationTokenSource(FinishTimeout);
        await outcome.RecordAsync(connection, tx, finish.Token);
        var nextDue = await NextDueAsync(connection, tx, finish.Token);
        await tx.CommitAsync(finish.Token);
        if (outcome.AllFailed)
        {
            throw new AggregateException("No outbox message of the batch could be published.", outcome.Failed.Select(f => f.Error));
        }

        return (rows.Count, nextDue);
    }

    // In the claim's transaction: one round trip less than asking afterwards, and no commit of its own.
    private static Task<double?> NextDueAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<double?>(new CommandDefinition(NextDueSql, transaction: tx, cancellationToken: cancellationToken));

    private TimeSpan WakeUpAfter(double? nextDueSeconds) =>
        nextDueSeconds is { } due && due < _options.PollInterval.TotalSeconds
            ? TimeSpan.FromSeconds(Math.Max(due, 0.01))
            : _options.PollInterval;

    [LoggerMessage(LogLevel.Warning, "Outbox relay could not publish; retrying in {DelayMs:0} ms")]
    private partial void LogRetrying(Exception exception, double delayMs);
}
