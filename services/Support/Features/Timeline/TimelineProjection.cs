using System.Text.Json;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Streams;

namespace EcommerceEda.Support.Features.Timeline;

/// <summary>
/// Builds the order and customer timelines from the event stream: every event that names an order becomes
/// an entry, keyed by its event id, so seeing an event again (a duplicate publish, a replay) changes nothing.
/// Support needs no queue per event type and no code per event: a new event of any service shows up as is.
/// </summary>
public sealed class TimelineProjection : IEventStreamHandler
{
    public const string Reader = "support-timeline";

    private const string InsertSql = """
        INSERT INTO timeline_entries (event_id, order_id, customer_id, event_type, source, occurred_at, data)
        VALUES (@EventId, @OrderId, @CustomerId, @EventType, @Source, @OccurredAt, @Data::jsonb)
        ON CONFLICT (event_id) DO NOTHING
        """;

    public async Task HandleAsync(StreamedEvent streamedEvent, OutboxTransaction transaction, CancellationToken cancellationToken)
    {
        var json = streamedEvent.Json;
        if (!json.TryGetProperty("orderId", out var orderId) || !json.TryGetProperty("metadata", out var metadata))
        {
            return; // not about an order
        }

        await transaction.ExecuteAsync(InsertSql, new
        {
            EventId = metadata.GetProperty("eventId").GetGuid(),
            OrderId = orderId.GetGuid(),
            CustomerId = json.TryGetProperty("customerId", out var customerId) ? customerId.GetString() : null,
            EventType = streamedEvent.Name,
            Source = metadata.GetProperty("source").GetString(),
            OccurredAt = metadata.GetProperty("occurredAt").GetDateTimeOffset().ToUniversalTime(),
            Data = JsonSerializer.Serialize(json),
        }, cancellationToken);
    }

    public Task ResetAsync(OutboxTransaction transaction, CancellationToken cancellationToken) =>
        transaction.ExecuteAsync("DELETE FROM timeline_entries", parameters: null, cancellationToken);
}
