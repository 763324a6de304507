using Npgsql;

namespace EcommerceEda.Messaging.Outbox;

/// <summary>
/// Starts units of work whose outgoing messages are stored with the business rows and published by
/// the relay after the commit: nothing is published for a change that rolled back, nothing is lost
/// for one that committed, whether the broker is up or not.
/// </summary>
public sealed class TransactionalOutbox(NpgsqlDataSource dataSource, OutgoingMessages outgoing)
{
    /// <summary>Opens a connection and begins a transaction on the service's database.</summary>
    public async Task<OutboxTransaction> BeginTransactionAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new OutboxTransaction(connection, transaction, outgoing);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
