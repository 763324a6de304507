using Microsoft.Extensions.Logging;
using Npgsql;

namespace EcommerceEda.Messaging.Outbox;

/// <summary>
/// Wakes the relay when a transaction that wrote outbox rows commits: the table's trigger calls
/// <c>pg_notify('outbox_messages')</c>, which PostgreSQL delivers on commit to every listener.
/// Notifications coalesce: many commits during one batch make one wake-up.
/// </summary>
internal sealed partial class OutboxNotifications(NpgsqlDataSource db, ILogger logger) : IDisposable
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
                await using (var listen = new NpgsqlCommand("LISTEN outbox_messages", connection))
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
                LogListenFailed(exception);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Waits for a notification, at most <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, cancellationToken);

    private void Signal()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the relay will look at the table anyway.
        }
    }

    public void Dispose() => _signal.Dispose();

    [LoggerMessage(LogLevel.Warning, "Outbox LISTEN connection failed; polling until it is back")]
    private partial void LogListenFailed(Exception exception);
}
