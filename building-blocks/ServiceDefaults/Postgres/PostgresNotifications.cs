using Microsoft.Extensions.Logging;
using Npgsql;

namespace EcommerceEda.ServiceDefaults.Postgres;

/// <summary>
/// Wakes a worker when a transaction that wrote the rows it works on commits: a trigger on the table calls
/// <c>pg_notify(channel)</c>, which PostgreSQL delivers on commit to every listener (the outbox relay listens
/// on <c>outbox_messages</c>, the simulators on their tables). Notifications coalesce: many commits while the
/// worker is busy make one wake-up.
/// </summary>
/// <param name="db">The database the trigger is in.</param>
/// <param name="channel">The channel, an identifier the trigger notifies.</param>
/// <param name="logger">Where a lost connection is reported.</param>
public sealed partial class PostgresNotifications(NpgsqlDataSource db, string channel, ILogger logger) : IDisposable
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Listens until <paramref name="cancellationToken"/> fires, reconnecting after a failure.</summary>
    public async Task ListenAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(cancellationToken);
                connection.Notification += (_, _) => Signal();
                await using (var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                Signal(); // rows committed while nobody listened
                while (true)
                {
                    // A quiet connection is probed now and then: a half-open one would otherwise wait forever.
                    if (!await connection.WaitAsync(KeepAlive, cancellationToken))
                    {
                        await using var probe = new NpgsqlCommand("SELECT 1", connection);
                        await probe.ExecuteScalarAsync(cancellationToken);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogListenFailed(exception, channel);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Waits for a notification, at most <paramref name="timeout"/>; true when one came.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, cancellationToken);

    private void Signal()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the worker will look at the table anyway.
        }
    }

    /// <inheritdoc />
    public void Dispose() => _signal.Dispose();

    [LoggerMessage(LogLevel.Warning, "LISTEN {Channel} failed; polling until it is back")]
    private partial void LogListenFailed(Exception exception, string channel);
}
