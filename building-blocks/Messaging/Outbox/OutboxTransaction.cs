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
    private readonly List<EnqueuedMessage> _enqueued = [];
    private readonly List<OutboxRow> _dueAtCommit = [];
    private readonly List<(OutboxRow Row, DateTimeOffset? NotBefore)> _unwritten = [];

    internal OutboxTransaction(
        NpgsqlConnection connection, NpgsqlTransaction transaction, OutgoingMessages outgoing, OutboxDispatcher dispatcher, TimeSpan lease)
    {
        Connection = connection;
        Transaction = transaction;
        _outgoing = outgoing;
        _dispatcher = dispatcher;
        _lease = lease;
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
    public async Task<int> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        if (_unwritten.Count == 0)
        {
            return await Connection.ExecuteAsync(new CommandDefinition(sql, parameters, Transaction, cancellationToken: cancellationToken));
        }

        var combined = new DynamicParameters(parameters);
        var rows = TakeUnwritten(combined);
        return await Connection.ExecuteAsync(new CommandDefinition(
            $"{InsertSql};\n{sql}", combined, Transaction, cancellationToken: cancellationToken)) - rows;
    }

    /// <summary>
    /// Commits the business rows, the inbox row and the outgoing messages together, then publishes the messages due
    /// now without waiting for the broker (a relay publishes whatever that misses).
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_unwritten.Count > 0)
        {
            var parameters = new DynamicParameters();
            TakeUnwritten(parameters);
            await Connection.ExecuteAsync(new CommandDefinition(InsertSql, parameters, Transaction, cancellationToken: cancellationToken));
        }

        await Transaction.CommitAsync(cancellationToken);
        _dispatcher.Dispatch([.. _dueAtCommit]);
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
            DateTime.UtcNow,
            Attempts: 0);
        _unwritten.Add((row, notBefore?.ToUniversalTime()));
        _enqueued.Add(new EnqueuedMessage(row.Id, row.MessageType, notBefore));
        if (notBefore is null)
        {
            _dueAtCommit.Add(row);
        }

        return Task.CompletedTask;
    }

    // The unwritten rows as the parameters of InsertSql; they count as written from here on.
    private int TakeUnwritten(DynamicParameters parameters)
    {
        parameters.Add("OutboxIds", _unwritten.Select(u => u.Row.Id).ToArray());
        parameters.Add("OutboxTypes", _unwritten.Select(u => u.Row.MessageType).ToArray());
        parameters.Add("OutboxDestinations", _unwritten.Select(u => u.Row.Destination).ToArray());
        parameters.Add("OutboxBodies", _unwritten.Select(u => u.Row.Body).ToArray());
        parameters.Add("OutboxTraceParents", _unwritten.Select(u => u.Row.TraceParent).ToArray());
        parameters.Add("OutboxNotBefore", _unwritten.Select(u => u.NotBefore).ToArray());
        parameters.Add("OutboxLease", _lease);
        var count = _unwritten.Count;
        _unwritten.Clear();
        return count;
    }

}

/// <summary>A message a unit of work added to the outbox.</summary>
/// <param name="Id">Its id, on the wire too.</param>
/// <param name="MessageType">Its URN.</param>
/// <param name="NotBefore">When it is scheduled for, if it is.</param>
public sealed record EnqueuedMessage(Guid Id, string MessageType, DateTimeOffset? NotBefore);
