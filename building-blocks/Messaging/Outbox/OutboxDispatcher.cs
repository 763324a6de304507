using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EcommerceEda.Messaging.Outbox;

/// <summary>
/// Publishes a unit of work's messages the moment it commits, so that a message waits neither for a notification
/// nor for the relay's next claim. Its rows are written with a lease: not due before
/// <see cref="OutboxRelayOptions.DispatchLease"/> has passed, so no relay claims them meanwhile. What the dispatcher
/// publishes it marks sent, the outcomes of a tenth of a second's commits in one transaction; a publish that failed
/// (its connection closed before the confirm, say) is pushed back by a short backoff and wakes the relays; what it
/// could not try (the broker was away, the process died before the confirm or before the mark) falls due when the
/// lease ends. A relay publishes either like any other row. A row published twice that way is a copy the consumers'
/// inboxes drop.
/// </summary>
internal sealed partial class OutboxDispatcher(NpgsqlDataSource db, OutboxPublisher publisher, ILogger<OutboxDispatcher> logger)
    : BackgroundService
{
    // Recording what the broker confirmed must not be cut short by shutdown, or it is published again.
    private static readonly TimeSpan FinishTimeout = TimeSpan.FromSeconds(10);
    private const int MaxRecordedAtOnce = 500;

    // How long the first confirmed publish waits for others to be marked sent in the same commit: under load one commit
    // marks a few dozen instead of each taking its own. The message is out already; only the mark waits.
    private static readonly TimeSpan GatherMarks = TimeSpan.FromMilliseconds(100);

    private readonly Channel<OutboxOutcome> _outcomes = Channel.CreateUnbounded<OutboxOutcome>(new UnboundedChannelOptions { SingleReader = true });

    // Not disposed: it has no timer to release, and a host stopped again after its disposal (as WebApplicationFactory
    // does) cancels it once more.
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Publishes <paramref name="rows"/>, just committed, without waiting for the confirms.</summary>
    public void Dispatch(IReadOnlyList<OutboxRow> rows)
    {
        if (rows.Count > 0)
        {
            _ = PublishAsync(rows); // runs on the caller's thread until the first wait for the broker
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _outcomes.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(GatherMarks, stoppingToken);
                await RecordAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            using var finish = new CancellationTokenSource(FinishTimeout);
            await RecordAsync(finish.Token);
        }
    }

    private async Task PublishAsync(IReadOnlyList<OutboxRow> rows)
    {
        try
        {
            _outcomes.Writer.TryWrite(await publisher.PublishAsync(rows, _stopping.Token));
        }
        catch (Exception exception)
        {
            LogLeftToRelay(exception, rows.Count);
        }
    }

    private async Task RecordAsync(CancellationToken cancellationToken)
    {
        var outcomes = new List<OutboxOutcome>();
        while (outcomes.Count < MaxRecordedAtOnce && _outcomes.Reader.TryRead(out var outcome))
        {
            outcomes.Add(outcome);
        }

        if (outcomes.Count == 0)
        {
            return;
        }

        try
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await OutboxOutcome.Combine(outcomes).RecordAsync(connection, tx, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRecordFailed(exception, outcomes.Sum(o => o.Sent.Count));
        }
    }

    [LoggerMessage(LogLevel.Warning, "{Count} outbox messages were not published at their commit; the relay publishes them once their lease ends")]
    private partial void LogLeftToRelay(Exception exception, int count);

    [LoggerMessage(LogLevel.Warning, "{Count} published outbox messages could not be marked sent; the relay publishes them again once their lease ends")]
    private partial void LogRecordFailed(Exception exception, int count);
}
