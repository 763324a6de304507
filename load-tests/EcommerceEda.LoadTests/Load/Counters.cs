using System.Text.Json.Nodes;
using EcommerceEda.LoadTests.Target;
using Npgsql;

namespace EcommerceEda.LoadTests.Load;

/// <summary>
/// The system's work so far: transactions committed in the services' databases (<c>pg_stat_database.xact_commit</c>)
/// and messages the broker put on its queues (the sum of every queue's <c>message_stats.publish</c>).
/// </summary>
/// <param name="Commits">Transactions committed, by database.</param>
/// <param name="Writes">Transactions that wrote, server-wide: the transaction ids assigned (read-only ones get none).</param>
/// <param name="Enqueued">Messages enqueued, by queue or stream of the virtual host.</param>
public sealed record Counters(IReadOnlyDictionary<string, long> Commits, long Writes, IReadOnlyDictionary<string, long> Enqueued)
{
    // Backends flush their statistics within 10 s of going idle, the broker samples its statistics every 5 s.
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(11);

    /// <summary>The difference since <paramref name="before"/>.</summary>
    public Counters Since(Counters before) => new(Difference(Commits, before.Commits), Writes - before.Writes, Difference(Enqueued, before.Enqueued));

    /// <summary>Reads the counters once both sources have published what they counted so far.</summary>
    public static async Task<Counters> ReadSettledAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        await Task.Delay(SettleTime, cancellationToken);
        var (commits, writes) = await DatabaseCountersAsync(system, cancellationToken);
        return new Counters(commits, writes, await EnqueuedAsync(system, cancellationToken));
    }

    // Commits by database, and the next transaction id to be assigned (reading it assigns none).
    private static async Task<(Dictionary<string, long> Commits, long Writes)> DatabaseCountersAsync(
        SystemUnderTest system, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(system.Postgres);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT datname, xact_commit FROM pg_stat_database WHERE datname = ANY(@databases);
            SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
            """, connection);
        command.Parameters.AddWithValue("databases", SystemUnderTest.Databases.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var commits = new Dictionary<string, long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            commits[reader.GetString(0)] = reader.GetInt64(1);
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (commits, reader.GetInt64(0));
    }

    private static async Task<Dictionary<string, long>> EnqueuedAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        var queues = await system.QueuesAsync("name,message_stats.publish", cancellationToken);
        return queues.OfType<JsonNode>().ToDictionary(
            queue => queue["name"]!.GetValue<string>(), queue => queue["message_stats"]?["publish"]?.GetValue<long>() ?? 0);
    }

    private static Dictionary<string, long> Difference(IReadOnlyDictionary<string, long> now, IReadOnlyDictionary<string, long> before) =>
        now.ToDictionary(count => count.Key, count => count.Value - before.GetValueOrDefault(count.Key));
}
