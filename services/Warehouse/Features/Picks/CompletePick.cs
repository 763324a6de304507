using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Tracing;
using EcommerceEda.Warehouse.Contracts;
using EcommerceEda.Warehouse.Features.ReserveStock;
using Mediator;

namespace EcommerceEda.Warehouse.Features.Picks;

/// <summary>Complete a pick task: the order's reserved units leave the shelves and <see cref="OrderPicked"/> answers the saga.</summary>
public sealed record CompletePick(Guid TaskToken) : ICommand<CompletePickResult>;

public enum CompletePickResult
{
    Completed,
    NotFound,
    Cancelled,
}

public sealed class CompletePickHandler(TransactionalOutbox outbox, EventSource events, TimeProvider clock)
    : ICommandHandler<CompletePick, CompletePickResult>
{
    // The task and the order's reservation, if still held, in one round trip: the reservation row is locked (by its
    // update) before the stock rows, as when it was made.
    private const string CompleteSql = """
        WITH task AS (
            UPDATE pick_tasks SET status = 'Completed', completed_at = @At
            WHERE task_token = @TaskToken AND status = 'Pending'
            RETURNING order_id, trace_parent),
        picked AS (
            UPDATE reservations SET status = 'Picked', updated_at = @At
            FROM task WHERE reservations.order_id = task.order_id AND reservations.status = 'Reserved'
            RETURNING reservations.lines)
        SELECT task.order_id AS OrderId, task.trace_parent AS TraceParent, picked.lines::text AS Lines
        FROM task LEFT JOIN picked ON true
        """;

    private const string StatusSql = "SELECT status FROM pick_tasks WHERE task_token = @TaskToken";

    public async ValueTask<CompletePickResult> Handle(CompletePick command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
        var task = await tx.QuerySingleOrDefaultAsync<CompletedTask>(CompleteSql, new { command.TaskToken, At = now }, cancellationToken);
        if (task is null)
        {
            // Completing it again is not an error: the first completion already answered.
            return await tx.ExecuteScalarAsync<string?>(StatusSql, command, cancellationToken) switch
            {
                null => CompletePickResult.NotFound,
                "Cancelled" => CompletePickResult.Cancelled,
                _ => CompletePickResult.Completed,
            };
        }

        using var span = FlowTrace.Resume(task.TraceParent, "pick completed");
        var orderId = task.OrderId;
        await tx.PublishAsync( // its outbox row goes with the next statement, or the commit
            new OrderPicked(events.Metadata($"warehouse/{orderId}/picked"), orderId, command.TaskToken), cancellationToken);
        if (task.Lines is { } lines)
        {
            await StockMovements.ApplyAsync(
                tx, StockMovements.Pick, WarehouseJson.Deserialize<List<RequestedStock>>(lines), now, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return CompletePickResult.Completed;
    }

    private sealed record CompletedTask(Guid OrderId, string? TraceParent, string? Lines);
}
