using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using static System.FormattableString;

namespace EcommerceEda.Messaging.Operations;

/// <summary>When <c>/health</c> reports the messaging building block degraded (<c>Messaging:Health</c>).</summary>
public sealed class MessagingHealthOptions
{
    /// <summary>How long a due message may wait in the outbox before the service reports degraded.</summary>
    public TimeSpan MaxOutboxLag { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many messages a dead-letter queue may hold before the service reports degraded (0: any).</summary>
    public int MaxDeadLetters { get; set; }
}

/// <summary>
/// Degraded (still serving, but someone should look) while the outbox falls behind or a dead-letter queue fills:
/// the oldest message due but not published has waited longer than <see cref="MessagingHealthOptions.MaxOutboxLag"/>,
/// or a dead-letter queue, as the <see cref="DeadLetterMonitor"/> last sampled it, holds more than
/// <see cref="MessagingHealthOptions.MaxDeadLetters"/>. The reason is the check's description (logged as a warning,
/// so it shows in the dashboard's logs); whether the database and the broker answer is left to their own checks.
/// </summary>
internal sealed class MessagingHealthCheck(NpgsqlDataSource db, MessagingMetrics metrics, IOptionsMonitor<MessagingHealthOptions> options)
    : IHealthCheck
{
    public const string Name = "messaging";

    // A row that failed has its not_before pushed back by its backoff: its wait counts from when it was written.
    private const string OutboxLagSql = """
        SELECT coalesce(extract(epoch FROM max(now() - CASE WHEN attempts = 0 THEN not_before ELSE created_at END)), 0)::float8
        FROM outbox_messages WHERE sent_at IS NULL AND (not_before <= now() OR attempts > 0)
        """;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limits = options.CurrentValue;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var lag = TimeSpan.FromSeconds(await connection.ExecuteScalarAsync<double>(new CommandDefinition(OutboxLagSql, cancellationToken: cancellationToken)));
        var filling = metrics.DeadLetterDepthSnapshot().Where(queue => queue.Value > limits.MaxDeadLetters).ToList();

        var data = new Dictionary<string, object> { ["outboxLagSeconds"] = Math.Round(lag.TotalSeconds, 1) };
        var problems = new List<string>();
        if (lag > limits.MaxOutboxLag)
        {
            problems.Add(Invariant($"outbox lag: the oldest due message has waited {lag.TotalSeconds:0} s (limit {limits.MaxOutboxLag.TotalSeconds:0} s)"));
        }

        foreach (var (queue, depth) in filling)
        {
            data[$"deadLetters:{queue}"] = depth;
            problems.Add(Invariant($"dead-letter queue {queue}: {depth} (limit {limits.MaxDeadLetters})"));
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy("The outbox keeps up and no dead-letter queue is filling.", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data);
    }
}
