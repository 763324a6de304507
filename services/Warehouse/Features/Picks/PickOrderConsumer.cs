using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Messaging.Tracing;
using EcommerceEda.Warehouse.Contracts;
using MassTransit;

namespace EcommerceEda.Warehouse.Features.Picks;

/// <summary>
/// Turns a <see cref="PickOrder"/> into a pick task for a person, keyed by the saga's task token
/// (Step Functions' wait-for-callback): the saga waits until the task is completed.
/// </summary>
public sealed class PickOrderConsumer(TimeProvider clock) : IConsumer<PickOrder>
{
    private const string InsertSql = """
        INSERT INTO pick_tasks (task_token, order_id, lines, status, created_at, trace_parent)
        VALUES (@TaskToken, @OrderId, @Lines::jsonb, 'Pending', @At, @TraceParent)
        ON CONFLICT DO NOTHING
        """;

    public async Task Consume(ConsumeContext<PickOrder> context)
    {
        var tx = context.Transaction();
        var command = context.Message;
        await tx.ExecuteAsync(InsertSql, new
        {
            command.TaskToken,
            command.OrderId,
            Lines = WarehouseJson.Serialize(command.Lines),
            At = clock.GetUtcNow(),
            TraceParent = FlowTrace.Current, // the picker's callback resumes the order's trace
        }, context.CancellationToken);
    }
}
