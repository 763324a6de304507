using System.Text.Json;
using Dapper;
using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Orders.Contracts;
using MassTransit;

namespace EcommerceEda.Support.Features.Timeline;

/// <summary>Adds a placed order to its order's and its customer's timeline.</summary>
public sealed class OrderPlacedConsumer : IConsumer<OrderPlaced>
{
    // Keyed by event id: the same event observed twice (a queue and, later, the stream) is one entry.
    private const string InsertSql = """
        INSERT INTO timeline_entries (event_id, order_id, customer_id, event_type, source, occurred_at, data)
        VALUES (@EventId, @OrderId, @CustomerId, @EventType, @Source, @OccurredAt, @Data::jsonb)
        ON CONFLICT (event_id) DO NOTHING
        """;

    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        var tx = context.Transaction();
        var placed = context.Message;
        await tx.Connection.ExecuteAsync(new CommandDefinition(InsertSql, new
        {
            placed.Metadata.EventId,
            placed.OrderId,
            placed.CustomerId,
            EventType = nameof(OrderPlaced),
            placed.Metadata.Source,
            placed.Metadata.OccurredAt,
            Data = JsonSerializer.Serialize(placed, MessageJson.Options),
        }, tx.Transaction, cancellationToken: context.CancellationToken));
    }
}
