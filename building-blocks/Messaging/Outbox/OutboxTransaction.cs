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
    private const string InboxTable = "inbox_messages";

    // No ON CONFLICT: the primary key refuses a message consumed before, and the round trip stops there (see Receive).
    private const string InboxSql = $"INSERT INTO {InboxTable} (consumer, message_id) VALUES (@InboxConsumer, @InboxMessageId)";

    // Every row added since the last statement, in one round trip. A message due now is the dispatcher's until its
    // lease ends (see OutboxDispatcher); a scheduled one is the relay's.
    private const string OutboxSql = """
        INSERT INTO outbox_messages (id, message_type, destination, body, trace_parent, not_before)
        SELECT r.id, r.message_type, r.destination, r.body::jsonb, r.trace_parent, COALESCE(r.not_before, now() + @OutboxLease)
        FROM unnest(@OutboxIds, @OutboxTypes, @OutboxDestinations, @OutboxBodies, @OutboxTraceParents, @OutboxNotBefore)
            AS r(id, message_type, destination, body, trace_parent, not_before)
        """;

    // Timers cancelled since the last statement, deleted in the same statement as the new rows, so that its count of rows
    // affected is the new rows' (a CTE's changes are not counted). One that went out is past cancelling, and so is one a
    // relay holds: it is going out now, and waiting for the relay's commit would hold this unit of work's locks meanwhile.
    private const string UnscheduleAndOutboxSql = $"""
        WITH unscheduled AS (
            DELETE FROM outbox_messages WHERE id IN (
                SELECT id FROM outbox_messages WHERE id = ANY(@OutboxUnscheduled) AND sent_at IS NULL FOR UPDATE SKIP LOCKED))
        {OutboxSql}
        """;

    private readonly OutgoingMessages _outgoing;
    private readonly OutboxDispatcher _dispatcher;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _clock;
    private readonly List<EnqueuedMessage> _enqueued = [];
    private readonly List<OutboxRow> _rows = []; // _enqueued's rows; the first _written of them are in the database
    private int _written;
    private readonly List<Guid> _unscheduled = []; // the first _deleted of them are deleted
    private int _deleted;
    private InboxRow? _receipt; // the inbox row, until a round trip writes it

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

    /// <summary>The open connection. Statements go through this transaction's methods, which carry what it has not yet written.</summary>
    internal NpgsqlConnection Connection { get; }

    /// <summary>The transaction every statement of this unit of work joins.</summary>
    internal NpgsqlTransaction Transaction { get; }

    /// <summary>The messages added to the outbox so far in this transaction, in order.</summary>
    public IReadOnlyList<EnqueuedMessage> Enqueued => _enqueued;

    /// <summary>The scheduled messages this transaction asked to cancel so far, in order (some may have gone out already).</summary>
    public IReadOnlyList<Guid> Unscheduled => _unscheduled;

    /// <summary>
    /// Adds the event <paramref name="message"/> to the outbox; it is published after the commit.
    /// An event's id is its <see cref="EventMetadata.EventId"/>, so subscribers see the id the source chose.
    /// </summary>
    public Task PublishAsync<T>(T message, CancellationToken cancellationToken)
        where T : class
    {
        Enqueue(message, command: false, notBefore: null);
        return Task.CompletedTask;
    }

    /// <summary>Adds the command <paramref name="message"/> to the outbox; it is sent to its owner's queue after the commit.</summary>
    public Task SendAsync<T>(T message, CancellationToken cancellationToken)
        where T : class
    {
        Enqueue(message, command: true, notBefore: null);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Adds <paramref name="message"/> (event or command, as declared) to the outbox to go out at <paramref name="notBefore"/>,
    /// not earlier: a durable timer that survives restarts of the service, the broker and the database, with no broker plugin.
    /// Returns the message's id, which <see cref="UnscheduleAsync"/> takes to cancel it.
    /// </summary>
    public Task<Guid> ScheduleAsync<T>(T message, DateTimeOffset notBefore, CancellationToken cancellationToken)
        where T : class =>
        Task.FromResult(Enqueue(message, command: null, notBefore));

    /// <summary>
    /// Cancels the message <paramref name="id"/> that <see cref="ScheduleAsync"/> scheduled in an earlier unit of work (or an
    /// earlier statement of this one): its outbox row is deleted with the next statement or the commit, unless it is going
    /// out or has gone out already. A timer that fired cannot be called back, so whoever takes it must still tell a stale
    /// one (the saga compares its token). Messages due at once are not timers: the dispatcher publishes them at the commit.
    /// </summary>
    public Task UnscheduleAsync(Guid id, CancellationToken cancellationToken)
    {
        var index = _rows.FindIndex(row => row.Id == id);
        if (index >= _written)
        {
            throw new InvalidOperationException($"Message {id} is not in the outbox yet: a unit of work cannot cancel a message before a statement has written it.");
        }

        if (index >= 0 && _enqueued[index].NotBefore is null)
        {
            throw new InvalidOperationException($"Message {id} is not scheduled: it is published when this unit of work commits.");
        }

        if (!_unscheduled.Contains(id))
        {
            _unscheduled.Add(id);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs <paramref name="sql"/> in this unit of work and returns the rows it affected. What the unit of work has not
    /// written yet (the inbox row, the outbox rows added since the last statement, the timers it cancelled) goes to the
    /// database in the same round trip.
    /// </summary>
    public async Task<int> ExecuteAsync(string sql, object? parameters, CancellationToken cancellationToken)
    {
        var pending = PendingRows;
        return await RunAsync(sql, parameters, Connection.ExecuteAsync, cancellationToken) - pending;
    }

    /// <summary>Runs <paramref name="sql"/> and returns the first column of its first row, like <see cref="ExecuteAsync"/>.</summary>
    public Task<T?> ExecuteScalarAsync<T>(string sql, object? parameters, CancellationToken cancellationToken) =>
        RunAsync(sql, parameters, Connection.ExecuteScalarAsync<T>, cancellationToken);

    /// <summary>Runs the query <paramref name="sql"/> and returns its rows, like <see cref="ExecuteAsync"/>.</summary>
    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters, CancellationToken cancellationToken) =>
        RunAsync(sql, parameters, Connection.QueryAsync<T>, cancellationToken);

    /// <summary>Runs the query <paramref name="sql"/> and returns its one row, like <see cref="ExecuteAsync"/>.</summary>
    public Task<T> QuerySingleAsync<T>(string sql, object? parameters, CancellationToken cancellationToken) =>
        RunAsync(sql, parameters, Connection.QuerySingleAsync<T>, cancellationToken);

    /// <summary>Runs the query <paramref name="sql"/> and returns its one row or the default, like <see cref="ExecuteAsync"/>.</summary>
    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters, CancellationToken cancellationToken) =>
        RunAsync(sql, parameters, Connection.QuerySingleOrDefaultAsync<T?>, cancellationToken);

    /// <summary>
    /// Records the inbox row of the message this unit of work consumes: it is written first, with the unit of work's first
    /// statement (or its commit), and the inbox's primary key refuses a message consumed before. That statement then throws
    /// <see cref="DuplicateMessageException"/>, before the consumer has acted on anything it read.
    /// </summary>
    internal void Receive(string consumer, Guid messageId) => _receipt = new InboxRow(consumer, messageId);

    /// <summary>
    /// Commits the business rows, the inbox row and the outgoing messages together, then publishes the messages due
    /// now without waiting for the broker (a relay publishes whatever that misses).
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (HasPending)
        {
            await RunAsync(sql: null, parameters: null, Connection.ExecuteAsync, cancellationToken);
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
    private Guid Enqueue<T>(T message, bool? command, DateTimeOffset? notBefore)
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
        return row.Id;
    }

    // The rows the next round trip inserts before its statement, counted in its rows affected.
    private int PendingRows => (_receipt is null ? 0 : 1) + _rows.Count - _written;

    // Whether the next round trip writes anything before its statement: rows, or the deletion of cancelled timers.
    private bool HasPending => PendingRows > 0 || _deleted < _unscheduled.Count;

    // Runs sql (if any) after what the unit of work has not written yet (the inbox row, new outbox rows, timers cancelled), in one round trip.
    private async Task<TResult> RunAsync<TResult>(
        string? sql, object? parameters, Func<CommandDefinition, Task<TResult>> run, CancellationToken cancellationToken)
    {
        if (!HasPending)
        {
            return await run(new CommandDefinition(sql!, parameters, Transaction, cancellationToken: cancellationToken));
        }

        var statements = new List<string>(3);
        var combined = new DynamicParameters(parameters);
        var receipt = _receipt;
        if (receipt is not null)
        {
            statements.Add(InboxSql);
            combined.Add("InboxConsumer", receipt.Consumer);
            combined.Add("InboxMessageId", receipt.MessageId);
        }

        var unscheduled = _unscheduled.Skip(_deleted).ToArray();
        if (_written < _rows.Count || unscheduled.Length > 0)
        {
            var rows = _rows.Skip(_written).ToList();
            if (unscheduled.Length > 0)
            {
                statements.Add(UnscheduleAndOutboxSql);
                combined.Add("OutboxUnscheduled", unscheduled);
            }
            else
            {
                statements.Add(OutboxSql);
            }

            combined.Add("OutboxIds", rows.Select(r => r.Id).ToArray());
            combined.Add("OutboxTypes", rows.Select(r => r.MessageType).ToArray());
            combined.Add("OutboxDestinations", rows.Select(r => r.Destination).ToArray());
            combined.Add("OutboxBodies", rows.Select(r => r.Body).ToArray());
            combined.Add("OutboxTraceParents", rows.Select(r => r.TraceParent).ToArray());
            combined.Add("OutboxNotBefore", _enqueued.Skip(_written).Select(m => m.NotBefore?.ToUniversalTime()).ToArray());
            combined.Add("OutboxLease", _lease);
        }

        if (sql is not null)
        {
            statements.Add(sql);
        }

        TResult result;
        try
        {
            result = await run(new CommandDefinition(string.Join(";\n", statements), combined, Transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (receipt is not null && e is { SqlState: PostgresErrorCodes.UniqueViolation, TableName: InboxTable })
        {
            throw new DuplicateMessageException(receipt.Consumer, receipt.MessageId, e);
        }

        _receipt = null;
        _written = _rows.Count;
        _deleted = _unscheduled.Count;
        return result;
    }

    private sealed record InboxRow(string Consumer, Guid MessageId);
}

/// <summary>The message being consumed was consumed before: its inbox row is there already.</summary>
internal sealed class DuplicateMessageException(string consumer, Guid messageId, Exception inner)
    : Exception($"{consumer} consumed message {messageId} before.", inner);

/// <summary>A message a unit of work added to the outbox.</summary>
/// <param name="Id">Its id, on the wire too.</param>
/// <param name="MessageType">Its URN.</param>
/// <param name="NotBefore">When it is scheduled for, if it is.</param>
public sealed record EnqueuedMessage(Guid Id, string MessageType, DateTimeOffset? NotBefore);
