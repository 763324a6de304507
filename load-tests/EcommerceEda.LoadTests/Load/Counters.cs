using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.LoadTests.Target;
using Npgsql;

namespace EcommerceEda.LoadTests.Load;

/// <summary>
/// The system's work so far: transactions committed in the services' databases (<c>pg_stat_database.xact_commit</c>)
/// and messages the broker put on its queues (the sum of every queue's <c>message_stats.publish</c>).
/// </summary>
/// <param name="Commits">Transactions committed in the four databases.</param>
/// <param name="Enqueued">Messages enqueued on every queue and stream of the virtual host.</param>
public sealed record Counters(long Commits, long Enqueued)
{
    // Backends flush their statistics within 10 s of going idle, the broker samples its statistics every 5 s.
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(11);

    /// <summary>The difference since <paramref name="before"/>.</summary>
    public Counters Since(Counters before) => new(Commits - before.Commits, Enqueued - before.Enqueued);

    /// <summary>Reads the counters once both sources have published what they counted so far.</summary>
    public static async Task<Counters> ReadSettledAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        await Task.Delay(SettleTime, cancellationToken);
        return new Counters(await CommitsAsync(system, cancellationToken), await EnqueuedAsync(system, cancellationToken));
    }

    private static async Task<long> CommitsAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(system.Postgres);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(sum(xact_commit), 0)::bigint FROM pg_stat_database WHERE datname = ANY(@databases)", connection);
        command.Parameters.AddWithValue("databases", SystemUnderTest.Databases);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<long> EnqueuedAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        var queues = await system.Management.GetFromJsonAsync<JsonArray>(
            $"queues/{Uri.EscapeDataString(system.VirtualHost)}?columns=name,message_stats.publish", cancellationToken);
        return queues!.Sum(queue => queue?["message_stats"]?["publish"]?.GetValue<long>() ?? 0);
    }
}
