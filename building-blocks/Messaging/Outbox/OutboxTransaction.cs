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
    // Every row added since the last statement, in one round trip. A message due now is the dispatcher's until its
    // lease ends (see OutboxDispatcher); a scheduled one is the relay's.
    private const string InsertSql = """
        INSERT INTO outbox_messages (id, message_type, destination, body, trace_parent, not_before)
        SELECT r.id, r.message_type, r.destination, r.body::jsonb, r.trace_parent, COALESCE(r.not_before, now() + @OutboxLease)
        FROM unnest(@OutboxIds, @OutboxTypes, @OutboxDestinations, @OutboxBodies, @OutboxTraceParents, @OutboxNotBefore)
            AS r(id, message_type, destination, body, trace_parent, not_before)
        """;

    private readonly OutgoingMessages _outgoing;
    private readonly OutboxDispatcher _dispatcher;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _clock;
    private readonly List<EnqueuedMessage> _enqueued = [];
    private readonly List<OutboxRow> _rows = []; // _enqueued's rows; the first _written of them are in the database
    private int _written;

    internal OutboxTransaction(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        OutgoingMessages outgoing,
        OutboxDispatcher dispatcher,
        TimeSpan lease,
        TimeProvider clock)
    {
        Connection = connection;
        Transaction = transaction;
        _outgoing = outgoing;
        _dispatcher = dispatcher;
        _lease = lease;
        _clock = clock;
    }

    /// <summary>
    /// The open connection; pass it with <see cref="Transaction"/> to every Dapper call. The messages added to the outbox
    /// are written with the next statement run through <see cref="ExecuteAsync"/>, or at the commit: a query on this
    /// connection does not see them before.
    /// </summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>The transaction every write of this unit of work must join.</summary>
    public NpgsqlTransaction Transaction { get; }

    /// <summary>The messages added to the outbox so far in this transaction, in order.</summary>
    public IReadOnlyList<EnqueuedMessage> Enqueued => _enqueued;

    /// <summary>
    /// Adds the event <paramref name="message"/> to the outbox; it is published after the commit.
    /// An event's id is its <see cref="EventMetadata.EventId"/>, so subscribers see the id the source chose.
    /// </summary>
    public Task PublishAsync<T>(T message, CancellationToken cancellationToken)
        where T : class =>
        Enqueue(message, command: false, notBefore: null);

    /// <summary>Adds the command <paramref name="message"/> to the outbox; it is sent to its owner's queue after the commit.</summary>
    public Task SendAsync<T>(T message, CancellationToken cancellationToken)
        where T : class =>
        Enqueue(message, command: true, notBefore: null);

    /// <summary>
    /// Adds <paramref name="message"/> (event or command, as declared) to the outbox to go out at <paramref name="notBefore"/>,
    /// not earlier: a durable timer that survives restarts of the service, the broker and the database, with no broker plugin.
    /// </summary>
    public Task ScheduleAsync<T>(T message, DateTimeOffset notBefore, CancellationToken cancellationToken)
        where T : class =>
        Enqueue(message, command: null, notBefore);

    /// <summary>
    /// Runs <paramref name="sql"/>, one statement, in this unit of work and returns the rows it affected. The outbox rows
    /// added since the last statement go to the database in the same round trip.
    /// </summary>
    public Task<int> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        WriteAsync(sql, parameters, cancellationToken);

    /// <summary>
    /// Commits the business rows, the inbox row and the outgoing messages together, then publishes the messages due
    /// now without waiting for the broker (a relay publishes whatever that misses).
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_written < _rows.Count)
        {
            await WriteAsync(sql: null, parameters: null, cancellationToken);
        }

        await Transaction.CommitAsync(cancellationToken);
        _dispatcher.Dispatch([.. _rows.Where((_, i) => _enqueued[i].NotBefore is null)]);
    }

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

    // Written with the next statement or the commit: what a unit of work adds to the outbox costs it one round trip at most.
    private Task Enqueue<T>(T message, bool? command, DateTimeOffset? notBefore)
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

        var row = new OutboxRow(
            message is IEvent @event ? @event.Metadata.EventId : Guid.CreateVersion7(),
            outgoing.Urn,
            outgoing.Destination?.OriginalString,
            JsonSerializer.Serialize(message, MessageJson.Options),
            Activity.Current?.Id,
            _clock.GetUtcNow().UtcDateTime,
            Attempts: 0);
        _rows.Add(row);
        _enqueued.Add(new EnqueuedMessage(row.Id, row.MessageType, notBefore));
        return Task.CompletedTask;
    }

    // Runs sql (if any) with the rows not yet written in the same round trip; returns the rows sql affected.
    private async Task<int> WriteAsync(string? sql, object? parameters, CancellationToken cancellationToken)
    {
        var unwritten = _rows.Count - _written;
        if (unwritten == 0)
        {
            return await Connection.ExecuteAsync(new CommandDefinition(sql!, parameters, Transaction, cancellationToken: cancellationToken));
        }

        var rows = _rows.Skip(_written).ToList();
        var notBefore = _enqueued.Skip(_written).Select(m => m.NotBefore?.ToUniversalTime()).ToArray();
        var combined = new DynamicParameters(parameters);
        combined.Add("OutboxIds", rows.Select(r => r.Id).ToArray());
        combined.Add("OutboxTypes", rows.Select(r => r.MessageType).ToArray());
        combined.Add("OutboxDestinations", rows.Select(r => r.Destination).ToArray());
        combined.Add("OutboxBodies", rows.Select(r => r.Body).ToArray());
        combined.Add("OutboxTraceParents", rows.Select(r => r.TraceParent).ToArray());
        combined.Add("OutboxNotBefore", notBefore);
        combined.Add("OutboxLease", _lease);
        var affected = await Connection.ExecuteAsync(new CommandDefinition(
            sql is null ? InsertSql : $"{InsertSql};\n{sql}", combined, Transaction, cancellationToken: cancellationToken));
        _written = _rows.Count;
        return affected - unwritten;
    }
}

/// <summary>A message a unit of work added to the outbox.</summary>
/// <param name="Id">Its id, on the wire too.</param>
/// <param name="MessageType">Its URN.</param>
/// <param name="NotBefore">When it is scheduled for, if it is.</param>
public sealed record EnqueuedMessage(Guid Id, string MessageType, DateTimeOffset? NotBefore);
