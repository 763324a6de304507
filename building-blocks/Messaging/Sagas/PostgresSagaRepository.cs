using System.Text.Json;
using Dapper;
using EcommerceEda.Messaging.Outbox;
using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Npgsql;

namespace EcommerceEda.Messaging.Sagas;

/// <summary>Where a saga's instances live: one row each, <c>(correlation_id, version, current_state, data)</c>.</summary>
/// <param name="Table">The table, created by the service's migrations.</param>
public sealed record SagaTable<TSaga>(string Table);

/// <summary>
/// Persists a MassTransit saga in the service's PostgreSQL database, inside the transaction the inbox opened
/// for the message: the saga's new state, the inbox row and the messages the saga sends (through the outbox)
/// commit together or not at all. An instance is locked while a message is applied (<c>FOR UPDATE</c>), and
/// its version is checked on update as a safety net: a conflict throws <see cref="ConcurrencyException"/>,
/// which the retry policy runs again in a fresh transaction. Instances correlate by id only. Each message an
/// instance takes is written to its journal in the same transaction (<see cref="SagaJournal"/>).
/// </summary>
public sealed class PostgresSagaRepository<TSaga>(SagaTable<TSaga> table) : ISagaRepositoryContextFactory<TSaga>
    where TSaga : class, SagaStateMachineInstance, ISagaVersion
{
    private readonly SagaStatements _statements = new(table.Table);

    /// <inheritdoc />
    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class =>
        context.TryGetPayload(out OutboxTransaction? tx)
            ? next.Send(new PostgresSagaRepositoryContext<TSaga, T>(context, tx, _statements))
            : throw new InvalidOperationException("Sagas run inside the inbox's transaction: register them through AddMessaging.");

    /// <inheritdoc />
    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class =>
        throw new NotSupportedException("Saga instances correlate by id: CorrelateById in the state machine.");

    /// <inheritdoc />
    public void Probe(ProbeContext context) => context.Add("persistence", $"postgresql:{table.Table}");
}

internal sealed class PostgresSagaRepositoryContext<TSaga, TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, SagaStateMachineInstance, ISagaVersion
    where TMessage : class
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConsumeContext<TMessage> _context;
    private readonly OutboxTransaction _tx;
    private readonly SagaStatements _sql;
    private readonly int _enqueuedBefore;
    private readonly int _unscheduledBefore;
    private string? _loadedState;

    public PostgresSagaRepositoryContext(ConsumeContext<TMessage> context, OutboxTransaction tx, SagaStatements sql)
        : base(context)
    {
        _context = context;
        _tx = tx;
        _sql = sql;
        _enqueuedBefore = tx.Enqueued.Count;
        _unscheduledBefore = tx.Unscheduled.Count;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        Task.FromResult<SagaConsumeContext<TSaga, T>>(new DefaultSagaConsumeContext<TSaga, T>(consumeContext, instance));

    // A new instance: it is written by Save once the state machine has run.
    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) => CreateSagaConsumeContext(_context, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        instance.Version = 1;
        _loadedState = State(instance);
        var inserted = await _tx.ExecuteAsync(
            _sql.Insert,
            new { Id = instance.CorrelationId, State = State(instance), Data = Data(instance) },
            CancellationToken);
        return inserted == 1 ? await CreateSagaConsumeContext(_context, instance, SagaConsumeContextMode.Insert) : null!;
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var row = await _tx.QuerySingleOrDefaultAsync<StoredInstance>(_sql.Load, new { Id = correlationId }, CancellationToken);
        if (row is null)
        {
            return null!;
        }

        var instance = JsonSerializer.Deserialize<TSaga>(row.Data, Json)!;
        instance.Version = row.Version;
        _loadedState = State(instance);
        return await CreateSagaConsumeContext(_context, instance, SagaConsumeContextMode.Load);
    }

    public async Task Save(SagaConsumeContext<TSaga> context)
    {
        context.Saga.Version = 1;
        try
        {
            await JournaledAsync(_sql.Save, context.Saga, new { });
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.TableName == _sql.Table)
        {
            // Two first messages raced to create it: the retry loads the winner's instance instead.
            throw new ConcurrencyException("The saga instance was created concurrently.", typeof(TSaga), context.Saga.CorrelationId, e);
        }
    }

    public async Task Update(SagaConsumeContext<TSaga> context)
    {
        var expected = context.Saga.Version;
        context.Saga.Version = expected + 1;
        var updated = await JournaledAsync(_sql.Update, context.Saga, new { Expected = expected });
        if (updated == 0)
        {
            throw new ConcurrencyException("The saga instance changed since it was loaded.", typeof(TSaga), context.Saga.CorrelationId);
        }
    }

    public async Task Delete(SagaConsumeContext<TSaga> context)
    {
        // The journal of a finished instance stays: its last step is one version past the instance's.
        var deleted = await JournaledAsync(_sql.Delete, context.Saga, new { Expected = context.Saga.Version++ });
        if (deleted == 0)
        {
            throw new ConcurrencyException("The saga instance changed since it was loaded.", typeof(TSaga), context.Saga.CorrelationId);
        }
    }

    // Nothing to undo by hand: the inbox rolls the whole transaction back.
    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    // A journaled change (SagaStatements) with the instance as it is now (its new version, state and data), the step that
    // made it so, and the change's own parameters; the outbox rows the step wrote and the deletion of the timers it
    // cancelled go to the database in the same round trip.
    private Task<int> JournaledAsync(string change, TSaga instance, object changeParameters)
    {
        var state = State(instance);
        var parameters = new DynamicParameters(changeParameters);
        parameters.AddDynamicParams(new
        {
            Saga = _sql.Table,
            Id = instance.CorrelationId,
            instance.Version,
            State = state,
            Data = Data(instance),
            MessageType = MessageUrn.ForTypeString<TMessage>(),
            _context.MessageId,
            From = _loadedState ?? SagaJournal.InitialState,
            To = state ?? SagaJournal.InitialState,
            Sent = JsonSerializer.Serialize(_tx.Enqueued.Skip(_enqueuedBefore), Json),
            Cancelled = _tx.Unscheduled.Skip(_unscheduledBefore).ToArray(),
        });
        return _tx.ExecuteAsync(change, parameters, CancellationToken);
    }

    private static string? State(TSaga instance) => (instance as IStatefulSaga)?.CurrentState;

    private static string Data(TSaga instance) => JsonSerializer.Serialize(instance, Json);

    private sealed record StoredInstance(int Version, string Data);
}

/// <summary>A saga whose current state is a string column worth querying (MassTransit's <c>InstanceState</c>).</summary>
public interface IStatefulSaga
{
    /// <summary>The name of the state the instance is in.</summary>
    string? CurrentState { get; }
}

/// <summary>The statements of one saga table, built once: each change of an instance is journaled (<see cref="SagaJournal"/>).</summary>
/// <param name="Table">The table.</param>
internal sealed record SagaStatements(string Table)
{
    public string Load { get; } = $"SELECT version AS Version, data::text AS Data FROM {Table} WHERE correlation_id = @Id FOR UPDATE";

    public string Insert { get; } =
        $"INSERT INTO {Table} (correlation_id, version, current_state, data) VALUES (@Id, 1, @State, @Data::jsonb) ON CONFLICT DO NOTHING";

    public string Save { get; } = SagaJournal.Journaled(
        $"INSERT INTO {Table} (correlation_id, version, current_state, data) VALUES (@Id, 1, @State, @Data::jsonb)");

    public string Update { get; } = SagaJournal.Journaled($"""
        UPDATE {Table} SET version = @Version, current_state = @State, data = @Data::jsonb, updated_at = now()
        WHERE correlation_id = @Id AND version = @Expected
        """);

    public string Delete { get; } = SagaJournal.Journaled($"DELETE FROM {Table} WHERE correlation_id = @Id AND version = @Expected");
}
