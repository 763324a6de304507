using Dapper;
using EcommerceEda.Messaging.Sagas;
using Mediator;
using Npgsql;

namespace EcommerceEda.Orders.Features.FulfillmentView;

/// <summary>What the fulfillment saga did with one order, step by step: its execution history.</summary>
public sealed record GetExecution(Guid OrderId) : IQuery<OrderExecution?>;

/// <param name="OrderId">The order, and the saga instance's correlation id.</param>
/// <param name="CustomerId">Whose order it is.</param>
/// <param name="State">The saga's state now (<c>Initial</c> until it took the order's first message).</param>
/// <param name="Steps">Each message the saga took, in order.</param>
/// <param name="AsOf">The service's time when it answered: how long the order has been in its state is measured to it, not to the reader's clock.</param>
public sealed record OrderExecution(Guid OrderId, string CustomerId, string State, IReadOnlyList<ExecutionStep> Steps, DateTimeOffset AsOf);

/// <param name="Step">The step's number, from 1.</param>
/// <param name="At">When the saga applied the message.</param>
/// <param name="Message">The message's name in code.</param>
/// <param name="MessageType">Its URN.</param>
/// <param name="MessageId">Its id.</param>
/// <param name="From">The state it found the saga in.</param>
/// <param name="To">The state it left it in; <paramref name="From"/> when it changed nothing.</param>
/// <param name="Sent">What the saga sent on taking it.</param>
/// <param name="Cancelled">The timers it cancelled, which earlier steps had set.</param>
public sealed record ExecutionStep(
    int Step,
    DateTimeOffset At,
    string Message,
    string MessageType,
    Guid? MessageId,
    string From,
    string To,
    IReadOnlyList<ExecutionMessage> Sent,
    IReadOnlyList<CancelledTimer> Cancelled);

/// <param name="Message">The message's name in code.</param>
/// <param name="MessageType">Its URN.</param>
/// <param name="Id">Its id.</param>
/// <param name="NotBefore">For a timer, when it fires.</param>
/// <param name="Published">Whether the outbox has published it yet.</param>
/// <param name="PublishedAt">When, while the outbox keeps the row.</param>
/// <param name="CancelledBy">For a timer cancelled before it fired, the step that cancelled it.</param>
public sealed record ExecutionMessage(
    string Message, string MessageType, Guid Id, DateTimeOffset? NotBefore, bool Published, DateTimeOffset? PublishedAt, int? CancelledBy);

/// <param name="Message">The timer's message name in code.</param>
/// <param name="Id">Its id.</param>
/// <param name="SetBy">The step that set it.</param>
public sealed record CancelledTimer(string Message, Guid Id, int SetBy);

public sealed class GetExecutionHandler(NpgsqlDataSource db, MessageNames names, TimeProvider clock) : IQueryHandler<GetExecution, OrderExecution?>
{
    public async ValueTask<OrderExecution?> Handle(GetExecution query, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var customerId = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT customer_id FROM orders WHERE order_id = @OrderId", query, cancellationToken: cancellationToken));
        if (customerId is null)
        {
            return null;
        }

        var steps = await SagaJournal.ReadAsync(connection, Extensions.SagaTable, query.OrderId, cancellationToken);
        return new OrderExecution(
            query.OrderId,
            customerId,
            steps.Count == 0 ? SagaJournal.InitialState : steps[^1].To,
            [.. steps.Select(step => new ExecutionStep(
                step.Version,
                step.At,
                names.Of(step.MessageType),
                step.MessageType,
                step.MessageId,
                step.From,
                step.To,
                [.. step.Sent.Select(sent => new ExecutionMessage(
                    names.Of(sent.MessageType), sent.MessageType, sent.Id, sent.NotBefore, sent.Published, sent.PublishedAt, sent.CancelledBy))],
                [.. step.Cancelled.Select(timer => new CancelledTimer(names.Of(timer.MessageType), timer.Id, timer.SetBy))]))],
            clock.GetUtcNow());
    }
}
