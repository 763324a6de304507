using Dapper;
using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Messaging.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EcommerceEda.Messaging;

/// <summary>
/// Keeps the outbox and the inbox small: deletes sent outbox rows older than their retention and inbox
/// rows older than the dedup window, in bounded batches so no delete holds locks for long.
/// </summary>
internal sealed partial class MessagingCleanup(
    NpgsqlDataSource db,
    IOptions<OutboxRelayOptions> outbox,
    IOptions<InboxOptions> inbox,
    TimeProvider clock,
    ILogger<MessagingCleanup> logger) : BackgroundService
{
    private const int BatchSize = 5_000;

    // Oldest first by the index on their time, then those rows by their address. Under a generic plan the batch is
    // guessed at a tenth of the table, and "WHERE id IN (...)" became a hash join over all of it. The outer condition
    // repeats the age for a row updated since it was chosen.
    private const string DeleteSentSql = """
        DELETE FROM outbox_messages WHERE sent_at < now() - @Age AND ctid = ANY(ARRAY(
            SELECT ctid FROM outbox_messages WHERE sent_at < now() - @Age ORDER BY sent_at LIMIT @BatchSize))
        """;

    private const string DeleteProcessedSql = """
        DELETE FROM inbox_messages WHERE received_at < now() - @Age AND ctid = ANY(ARRAY(
            SELECT ctid FROM inbox_messages WHERE received_at < now() - @Age ORDER BY received_at LIMIT @BatchSize))
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await DeleteAsync(DeleteSentSql, outbox.Value.SentRetention, stoppingToken);
                var processed = await DeleteAsync(DeleteProcessedSql, inbox.Value.DedupWindow, stoppingToken);
                if (sent + processed > 0)
                {
                    LogDeleted(sent, processed);
                }
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                LogFailed(exception);
            }

            await Task.Delay(outbox.Value.CleanupInterval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task<int> DeleteAsync(string sql, TimeSpan age, CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            deleted = await connection.ExecuteAsync(new CommandDefinition(
                sql, new { Age = age, BatchSize }, cancellationToken: cancellationToken));
            total += deleted;
        }
        while (deleted == BatchSize);
        return total;
    }

    [LoggerMessage(LogLevel.Information, "Deleted {Sent} sent outbox rows and {Processed} expired inbox rows")]
    private partial void LogDeleted(int sent, int processed);

    [LoggerMessage(LogLevel.Warning, "Messaging cleanup failed; trying again later")]
    private partial void LogFailed(Exception exception);
}
