using System.Diagnostics;
using System.Text.Json;
using Dapper;
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
/// </summary>
internal sealed partial class OutboxRelay(
    NpgsqlDataSource db,
    IBus bus,
    PublishedMessages published,
    MessagingMetrics metrics,
    IOptions<OutboxRelayOptions> options,
    TimeProvider clock,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private const string ClaimSql = """
        SELECT id AS Id, message_type AS MessageType, body::text AS Body, trace_parent AS TraceParent, created_at AS CreatedAt
        FROM outbox_messages
        WHERE sent_at IS NULL AND not_before <= now()
        ORDER BY not_before, id
        LIMIT @BatchSize
        FOR UPDATE SKIP LOCKED
        """;

    private const string MarkSentSql = "UPDATE outbox_messages SET sent_at = now() WHERE id = ANY(@Ids)";

    private const string NextDueSql = """
        SELECT extract(epoch FROM min(not_before) - now())::float8 FROM outbox_messages WHERE sent_at IS NULL
        """;

    private readonly OutboxRelayOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var notifications = new OutboxNotifications(db, logger);
        var listening = notifications.ListenAsync(stoppingToken);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await PublishBatchAsync(stoppingToken);
                failures = 0;
                if (claimed == _options.BatchSize)
                {
                    continue; // more may be waiting
                }

                await notifications.WaitAsync(await NextWakeUpAsync(stoppingToken), stoppingToken);
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

    /// <summary>Publishes one batch; returns how many rows it claimed.</summary>
    private async Task<int> PublishBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            ClaimSql, new { _options.BatchSize }, tx, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return 0;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        var outcomes = await Task.WhenAll(rows.Select(row => TryPublishAsync(row, timeout.Token)));
        var sent = rows.Where((_, i) => outcomes[i] is null).ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            MarkSentSql, new { Ids = sent.Select(r => r.Id).ToArray() }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);

        var now = clock.GetUtcNow();
        metrics.Published(sent.Count, sent.Select(r => now - r.CreatedAt));
        return sent.Count == rows.Count
            ? rows.Count
            : throw new AggregateException(
                $"{rows.Count - sent.Count} of {rows.Count} outbox messages were not published.", outcomes.OfType<Exception>());
    }

    private async Task<Exception?> TryPublishAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        try
        {
            var type = published.TypeOf(row.MessageType);
            var message = JsonSerializer.Deserialize(row.Body, type, MessageJson.Options)!;
            ActivityContext.TryParse(row.TraceParent, null, out var writer);
            using var activity = MessagingMetrics.ActivitySource.StartActivity(
                $"outbox relay {type.Name}", ActivityKind.Internal, writer);
            await bus.Publish(message, type, context => context.MessageId = row.Id, cancellationToken);
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    private async Task<TimeSpan> NextWakeUpAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var seconds = await connection.ExecuteScalarAsync<double?>(
            new CommandDefinition(NextDueSql, cancellationToken: cancellationToken));
        return seconds is { } due && due < _options.PollInterval.TotalSeconds
            ? TimeSpan.FromSeconds(Math.Max(due, 0.01))
            : _options.PollInterval;
    }

    private TimeSpan Backoff(int failures)
    {
        var exponential = TimeSpan.FromMilliseconds(100 * Math.Pow(2, Math.Min(failures - 1, 16)));
        var capped = exponential < _options.MaxRetryDelay ? exponential : _options.MaxRetryDelay;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    private sealed record OutboxRow(Guid Id, string MessageType, string Body, string? TraceParent, DateTime CreatedAt);

    [LoggerMessage(LogLevel.Warning, "Outbox relay could not publish; retrying in {DelayMs:0} ms")]
    private partial void LogRetrying(Exception exception, double delayMs);
}
