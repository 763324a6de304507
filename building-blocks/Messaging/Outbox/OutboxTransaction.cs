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

    private readonly OutgoingMessages _outgoing;
    private readonly List<EnqueuedMessage> _enqueued = [];

    internal OutboxTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, OutgoingMessages outgoing)
    {
        Connection = connection;
        Transaction = transaction;
        _outgoing = outgoing;
    }

    /// <summary>The open connection; pass it with <see cref="Transaction"/> to every Dapper call.</summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>The transaction every write of this unit of work must join.</summary>
    public NpgsqlTransaction Transaction { get; }

    /// <summary>The messages added to the outbox so far in this transaction, in order.</summary>
    public IReadOnlyList<EnqueuedMessage> Enqueued => _enqueued;

    /// <summary>
    /// Adds the event <paramref name="message"/> to the outbox; the relay publishes it after the commit.
    /// An event's id is its <see cref="EventMetadata.EventId"/>, so subscribers see the id the source chose.
    /// </summary>
    public Task PublishAsync<T>(T message, CancellationToken cancellationToken)
        where T : class =>
        EnqueueAsync(message, command: false, notBefore: null, cancellationToken);

    /// <summary>Adds the command <paramref name="message"/> to the outbox; the relay sends it to its owner's queue after the commit.</summary>
    public Task SendAsync<T>(T message, CancellationToken cancellationToken)
        where T : class =>
        EnqueueAsync(message, command: true, notBefore: null, cancellationToken);

    /// <summary>
    /// Adds <paramref name="message"/> (event or command, as declared) to the outbox to go out at <paramref name="notBefore"/>,
    /// not earlier: a durable timer that survives restarts of the service, the broker and the database, with no broker plugin.
    /// </summary>
    public Task ScheduleAsync<T>(T message, DateTimeOffset notBefore, CancellationToken cancellationToken)
        where T : class =>
        EnqueueAsync(message, command: null, notBefore, cancellationToken);

    private async Task EnqueueAsync<T>(T message, bool? command, DateTimeOffset? notBefore, CancellationToken cancellationToken)
        where T : class
    {
        var outgoing = _outgoing.Of(message.GetType());
        if (command is { } isCommand && isCommand != outgoing.Destination is not null)
        {
            throw new InvalidOperationException(isCommand
                ? $"{outgoing.Type.Name} is declared as published: publish it, or declare it with Sends<{outgoing.Type.Name}>()."
                : $"{outgoing.Type.Name} is declared as sent: send it, or declare it with Publishes<{outgoing.Type.Name}>().");
        }

        if (message is IEvent { Metadata.SchemaVersion: var version } && !outgoing.Urn.EndsWith($":v{version}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"{outgoing.Type.Name} is {outgoing.Urn}, but its metadata says schema version {version}: pass the URN's version to EventSource.Metadata(key, schemaVersion).");
        }

        var row = new
        {
            Id = message is IEvent @event ? @event.Metadata.EventId : Guid.CreateVersion7(),
            MessageType = outgoing.Urn,
            Destination = outgoing.Destination?.OriginalString,
            Body = JsonSerializer.Serialize(message, MessageJson.Options),
            TraceParent = Activity.Current?.Id,
            NotBefore = notBefore?.ToUniversalTime(),
        };
        await Connection.ExecuteAsync(new CommandDefinition(InsertSql, row, Transaction, cancellationToken: cancellationToken));
        _enqueued.Add(new EnqueuedMessage(row.Id, row.MessageType, notBefore));
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

/// <summary>A message a unit of work added to the outbox.</summary>
/// <param name="Id">Its id, on the wire too.</param>
/// <param name="MessageType">Its URN.</param>
/// <param name="NotBefore">When it is scheduled for, if it is.</param>
public sealed record EnqueuedMessage(Guid Id, string MessageType, DateTimeOffset? NotBefore);
