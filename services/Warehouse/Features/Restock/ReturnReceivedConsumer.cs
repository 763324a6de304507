using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Support.Contracts;
using EcommerceEda.Warehouse.Contracts;
using EcommerceEda.Warehouse.Features.ReserveStock;
using MassTransit;

namespace EcommerceEda.Warehouse.Features.Restock;

/// <summary>
/// Choreography: when Support receives a return, the order's units go back on the shelves, once per return.
/// </summary>
public sealed class ReturnReceivedConsumer(EventSource events, TimeProvider clock) : IConsumer<ReturnReceived>
{
    private const string PickedLinesSql = """
        SELECT lines::text FROM reservations WHERE order_id = @OrderId AND status = 'Picked'
        """;

    private const string RecordSql = """
        INSERT INTO restocks (return_id, order_id, lines, created_at) VALUES (@ReturnId, @OrderId, @Lines::jsonb, @At)
        ON CONFLICT (return_id) DO NOTHING
        """;

    public async Task Consume(ConsumeContext<ReturnReceived> context)
    {
        var tx = context.Transaction();
        var received = context.Message;
        var now = clock.GetUtcNow();
        if (await tx.ExecuteScalarAsync<string?>(PickedLinesSql, received, context.CancellationToken) is not { } json)
        {
            return; // nothing of this order left the shelves
        }

        var lines = WarehouseJson.Deserialize<List<RequestedStock>>(json);
        var recorded = await tx.ExecuteAsync(RecordSql, new { received.ReturnId, received.OrderId, Lines = json, At = now }, context.CancellationToken);
        if (recorded == 0)
        {
            return;
        }

        await StockMovements.ApplyAsync(tx, StockMovements.PutBack, lines, now, context.CancellationToken);
        await tx.PublishAsync(
            new StockRestocked(
                events.Metadata($"warehouse/returns/{received.ReturnId}/restocked"),
                received.OrderId,
                received.ReturnId,
                [.. lines.Select(l => new StockLine(l.Sku, l.Quantity))]),
            context.CancellationToken);
    }
}
