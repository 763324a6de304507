using System.Text.Json;
using EcommerceEda.Delivery.Contracts;
using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Messaging.Tracing;
using MassTransit;

namespace EcommerceEda.Delivery.Features.Shipments;

/// <summary>
/// Starts the shipping job of a picked order (Step Functions' run-a-job): a courier takes it now
/// (<see cref="OrderShipped"/>) and the job ends when the courier reports it delivered or failed.
/// One shipment per order, however often the command arrives.
/// </summary>
public sealed class ShipOrderConsumer(EventSource events, TimeProvider clock) : IConsumer<ShipOrder>
{
    public const string Carrier = "EDA Express";

    private const string InsertSql = """
        INSERT INTO shipments (shipment_id, order_id, status, carrier, tracking_number, destination, created_at, updated_at, trace_parent)
        VALUES (@ShipmentId, @OrderId, 'InTransit', @Carrier, @TrackingNumber, @Destination::jsonb, @At, @At, @TraceParent)
        ON CONFLICT (order_id) DO NOTHING
        """;

    public async Task Consume(ConsumeContext<ShipOrder> context)
    {
        var tx = context.Transaction();
        var command = context.Message;
        var shipmentId = Guid.CreateVersion7();
        var trackingNumber = $"EDA{shipmentId.ToString("N")[^10..].ToUpperInvariant()}";
        var inserted = await tx.ExecuteAsync(InsertSql, new
        {
            ShipmentId = shipmentId,
            command.OrderId,
            Carrier,
            TrackingNumber = trackingNumber,
            Destination = JsonSerializer.Serialize(command.Destination, JsonSerializerOptions.Web),
            At = clock.GetUtcNow(),
            TraceParent = FlowTrace.Current, // the courier's callback resumes the order's trace
        }, context.CancellationToken);
        if (inserted == 1)
        {
            await tx.PublishAsync(
                new OrderShipped(events.Metadata($"delivery/{command.OrderId}/shipped"), command.OrderId, shipmentId, Carrier, trackingNumber),
                context.CancellationToken);
        }
    }
}
