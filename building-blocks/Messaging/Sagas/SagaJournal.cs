using System.Text.Json;
using Dapper;
using Npgsql;

namespace EcommerceEda.Messaging.Sagas;

/// <summary>A message a saga instance took (a row of <c>saga_journal</c>).</summary>
/// <param name="Version">The instance's version once it took the message: the step's number.</param>
/// <param name="At">When the saga applied it: after it held the instance's lock, so the steps' times are in their order.</param>
/// <param name="MessageType">The message's URN.</param>
/// <param name="MessageId">The message's id on the wire.</param>
/// <param name="From">The state it was in (<see cref="SagaJournal.InitialState"/> for a new instance).</param>
/// <param name="To">The state it went to: <paramref name="From"/> again when the message changed nothing (ignored, or recorded only).</param>
/// <param name="Sent">What it sent meanwhile, through the outbox.</param>
/// <param name="Cancelled">The timers it cancelled, which an earlier step sent.</param>
public sealed record SagaStep(
    int Version,
    DateTimeOffset At,
    string MessageType,
    Guid? MessageId,
    string From,
    string To,
    IReadOnlyList<SagaSentMessage> Sent,
    IReadOnlyList<SagaCancelledTimer> Cancelled);

/// <summary>A message a saga step wrote to the outbox, and whether it has been published.</summary>
/// <param name="Id">Its id.</param>
/// <param name="MessageType">Its URN.</param>
/// <param name="NotBefore">When it is scheduled for (a timer), if it is.</param>
/// <param name="Published">Whether it has been published.</param>
/// <param name="PublishedAt">When, while the outbox still keeps the row (it deletes published rows after their retention).</param>
/// <param name="CancelledBy">The step that cancelled it before it went out (a timer), if one did.</param>
public sealed record SagaSentMessage(Guid Id, string MessageType, DateTimeOffset? NotBefore, bool Published, DateTimeOffset? PublishedAt, int? CancelledBy);

/// <summary>A timer a saga step cancelled before it went out.</summary>
/// <param name="Id">Its id.</param>
/// <param name="MessageType">Its URN.</param>
/// <param name="SetBy">The step that sent it.</param>
public sealed record SagaCancelledTimer(Guid Id, string MessageType, int SetBy);

/// <summary>
/// Each saga instance's execution history: <see cref="PostgresSagaRepository{TSaga}"/> writes a row per message the
/// instance takes, in the transaction that applies it, so the history holds exactly what happened, once. It is kept
/// as long as the service's data: the saga view reads it to draw the path an instance took.
/// </summary>
public static class SagaJournal
{
    /// <summary>The state of an instance that does not exist yet (MassTransit's name for it).</summary>
    public const string InitialState = "Initial";

    /// <summary>
    /// <paramref name="change"/> (an INSERT, UPDATE or DELETE of the instance) and its journal row in one statement: the
    /// row is written if and only if the change was, so the statement affects 1 row, or 0 when the change found nothing.
    /// Of the timers the step asked to cancel (<c>@Cancelled</c>), it records those whose outbox rows are gone: the step's
    /// earlier statements deleted them, or left them to a relay that was sending them.
    /// </summary>
    internal static string Journaled(string change) => $"""
        WITH changed AS ({change} RETURNING 1)
        INSERT INTO saga_journal (saga, correlation_id, version, message_type, message_id, from_state, to_state, sent, cancelled, at)
        SELECT @Saga, @Id, @Version, @MessageType, @MessageId, @From, @To, @Sent::jsonb,
               (SELECT coalesce(jsonb_agg(c.id), '[]') FROM unnest(@Cancelled::uuid[]) AS c(id)
                WHERE NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.id = c.id)),
               clock_timestamp()
        FROM changed
        """;

    private const string ReadSql = """
        SELECT version AS Version, at AS At, message_type AS MessageType, message_id AS MessageId,
               from_state AS "From", to_state AS "To", sent::text AS Sent, cancelled::text AS Cancelled
        FROM saga_journal WHERE saga = @Saga AND correlation_id = @Id ORDER BY version;
        SELECT o.id AS Id, o.sent_at AS SentAt
        FROM saga_journal j CROSS JOIN LATERAL jsonb_array_elements(j.sent) AS s(message)
        JOIN outbox_messages o ON o.id = (s.message ->> 'id')::uuid
        WHERE j.saga = @Saga AND j.correlation_id = @Id;
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The steps of the instance <paramref name="correlationId"/> of the saga stored in <paramref name="table"/>, in
    /// order; empty when it took no message yet.
    /// </summary>
    public static async Task<IReadOnlyList<SagaStep>> ReadAsync(
        NpgsqlConnection connection, string table, Guid correlationId, CancellationToken cancellationToken)
    {
        await using var results = await connection.QueryMultipleAsync(
            new CommandDefinition(ReadSql, new { Saga = table, Id = correlationId }, cancellationToken: cancellationToken));
        var steps = (await results.ReadAsync<StepRow>()).ToList();

        // A message the outbox no longer holds was cancelled, if a step says so, or else published: the outbox deletes only
        // published rows and cancelled timers.
        var outbox = (await results.ReadAsync<OutboxRow>()).ToDictionary(row => row.Id, row => row.SentAt);
        var sent = steps.ToDictionary(step => step.Version, step => JsonSerializer.Deserialize<List<EnqueuedRow>>(step.Sent, Json)!);
        var cancelled = steps.ToDictionary(step => step.Version, step => JsonSerializer.Deserialize<List<Guid>>(step.Cancelled, Json)!);
        var sentBy = sent.SelectMany(step => step.Value.Select(message => (Message: message, Step: step.Key))).ToDictionary(s => s.Message.Id);
        var cancelledBy = cancelled.SelectMany(step => step.Value.Select(id => (Id: id, Step: step.Key)))
            .GroupBy(c => c.Id)
            .ToDictionary(c => c.Key, c => c.Min(s => s.Step));
        return [.. steps.Select(step => new SagaStep(
            step.Version,
            Utc(step.At),
            step.MessageType,
            step.MessageId,
            step.From,
            step.To,
            [.. sent[step.Version].Select(message =>
                outbox.TryGetValue(message.Id, out var sentAt)
                    ? new SagaSentMessage(message.Id, message.MessageType, message.NotBefore, sentAt is not null, sentAt is { } at ? Utc(at) : null, CancelledBy: null)
                    : cancelledBy.TryGetValue(message.Id, out var version)
                        ? new SagaSentMessage(message.Id, message.MessageType, message.NotBefore, Published: false, PublishedAt: null, version)
                        : new SagaSentMessage(message.Id, message.MessageType, message.NotBefore, Published: true, PublishedAt: null, CancelledBy: null))],
            [.. cancelled[step.Version].Where(sentBy.ContainsKey) // only the timers the instance's own steps set
                .Select(id => new SagaCancelledTimer(id, sentBy[id].Message.MessageType, sentBy[id].Step))]))];
    }

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    private sealed record StepRow(int Version, DateTime At, string MessageType, Guid? MessageId, string From, string To, string Sent, string Cancelled);

    private sealed record OutboxRow(Guid Id, DateTime? SentAt);

    private sealed record EnqueuedRow(Guid Id, string MessageType, DateTimeOffset? NotBefore);
}
