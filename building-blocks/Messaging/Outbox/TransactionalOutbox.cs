using Microsoft.Extensions.Options;
using Npgsql;

namespace EcommerceEda.Messaging.Outbox;

/// <summary>
/// Starts units of work whose outgoing messages are stored with the business rows and published after
/// the commit: nothing is published for a change that rolled back, nothing is lost for one that committed,
/// whether the broker is up or not.
/// </summary>
public sealed class TransactionalOutbox
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly OutgoingMessages _outgoing;
    private readonly OutboxDispatcher _dispatcher;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _clock;

    internal TransactionalOutbox(
        NpgsqlDataSource dataSource, OutgoingMessages outgoing, OutboxDispatcher dispatcher, IOptions<OutboxRelayOptions> options, TimeProvider clock)
    {
        _dataSource = dataSource;
        _outgoing = outgoing;
        _dispatcher = dispatcher;
        _lease = options.Value.DispatchLease;
        _clock = clock;
    }

    /// <summary>Opens a connection and begins a transaction on the service's database.</summary>
    public async Task<OutboxTransaction> BeginTransactionAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new OutboxTransaction(connection, transaction, _outgoing, _dispatcher, _lease, _clock);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
