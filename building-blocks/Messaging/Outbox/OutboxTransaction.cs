using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace EcommerceEda.Messaging.Outbox;

/// <summary>
/// One PostgreSQL transaction that carries a unit of work: the business rows, the inbox row of the
/// message being consumed (if any) and the messages to publish. They commit together or not at all,
/// so a message is published if and only if the change it describes happened.
/// </summary>
public sealed class OutboxTransaction : IAsyncDisposable
{
    private const string InsertSql = """
        INSERT INTO outbox_messages (id, message_type, destination, body, trace_parent, not_before)
        VALUES (@Id, @MessageType, @Destination, @Body::jsonb, @TraceParent, COALESCE(@NotBefore, now()))
        """;

    private readonly PublishedMessages _published;

    internal OutboxTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, PublishedMessages published)
    {
        Connection = connection;
        Transaction = transaction;
        _published = published;
    }

    /// <summary>The open connection; pass it with <see cref="Transaction"/> to every Dapper call.</summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>The transaction every write of this unit of work must join.</summary>
    public NpgsqlTransaction Transaction { get; }

    /// <summary>
    /// Adds <paramref name="message"/> to the outbox; the relay publishes it after the commit.
    /// An event's id is its <see cref="EventMetadata.EventId"/>, so subscribers see the id the source chose.
    /// </summary>
    public Task PublishAsync<T>(T message, CancellationToken cancellationToken)
        where T : class =>
        EnqueueAsync(message, notBefore: null, cancellationToken);

    /// <summary>
    /// Adds <paramref name="message"/> to the outbox to be published at <paramref name="notBefore"/>, not earlier:
    /// a durable timer that survives restarts of the service, the broker and the database, with no broker plugin.
    /// </summary>
    public Task ScheduleAsync<T>(T message, DateTimeOffset notBefore, CancellationToken cancellationToken)
        where T : class =>
        EnqueueAsync(message, notBefore, cancellationToken);

    private async Task EnqueueAsync<T>(T message, DateTimeOffset? notBefore, CancellationToken cancellationToken)
        where T : class
    {
        var row = new
        {
            Id = message is IEvent @event ? @event.Metadata.EventId : Guid.CreateVersion7(),
            MessageType = _published.UrnOf(message.GetType()),
            Destination = (string?)null,
            Body = JsonSerializer.Serialize(message, MessageJson.Options),
            TraceParent = Activity.Current?.Id,
            NotBefore = notBefore?.ToUniversalTime(),
        };
        await Connection.ExecuteAsync(new CommandDefinition(InsertSql, row, Transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Commits the business rows, the inbox row and the outgoing messages together.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}
