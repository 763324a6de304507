using EcommerceEda.Delivery.Contracts;
using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Tracing;
using EcommerceEda.ServiceDefaults.Requests;
using Mediator;

namespace EcommerceEda.Delivery.Features.Shipments;

/// <summary>The courier's callback: the shipment was delivered (<see cref="Reason"/> null) or failed (with a reason).</summary>
public sealed record ReportDelivery(Guid ShipmentId, bool Delivered, string? Reason) : ICommand<ReportDeliveryResult>, IValidatable
{
    public IEnumerable<ValidationError> Validate()
    {
        if (!Delivered && (string.IsNullOrWhiteSpace(Reason) || Reason.Length > 500))
        {
            yield return new("reason", "Required: at most 500 characters.");
        }
    }
}

public enum ReportDeliveryResult
{
    Recorded,
    NotFound,
    AlreadyEndedOtherwise,
}

/// <summary>
/// Ends the shipping job: <see cref="OrderDelivered"/> or <see cref="DeliveryFailed"/>, with the status change,
/// in one transaction. Reporting the same outcome again answers the same; the other outcome is a conflict.
/// </summary>
public sealed class ReportDeliveryHandler(TransactionalOutbox outbox, EventSource events, TimeProvider clock)
    : ICommandHandler<ReportDelivery, ReportDeliveryResult>
{
    private const string EndSql = """
        UPDATE shipments SET status = @Status, failure_reason = @Reason, updated_at = @At
        WHERE shipment_id = @ShipmentId AND status = 'InTransit'
        RETURNING order_id AS OrderId, trace_parent AS TraceParent
        """;

    private const string StatusSql = "SELECT status FROM shipments WHERE shipment_id = @ShipmentId";

    public async ValueTask<ReportDeliveryResult> Handle(ReportDelivery command, CancellationToken cancellationToken)
    {
        var status = command.Delivered ? "Delivered" : "Failed";
        await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
        var shipment = await tx.QuerySingleOrDefaultAsync<EndedShipment>(
            EndSql,
            new { command.ShipmentId, Status = status, Reason = command.Delivered ? null : command.Reason, At = clock.GetUtcNow() },
            cancellationToken);
        if (shipment is null)
        {
            return await tx.ExecuteScalarAsync<string?>(StatusSql, command, cancellationToken) switch
            {
                null => ReportDeliveryResult.NotFound,
                var ended when ended == status => ReportDeliveryResult.Recorded,
                _ => ReportDeliveryResult.AlreadyEndedOtherwise,
            };
        }

        using var span = FlowTrace.Resume(shipment.TraceParent, command.Delivered ? "delivery reported" : "delivery failure reported");
        var order = shipment.OrderId;
        if (command.Delivered)
        {
            await tx.PublishAsync(new OrderDelivered(events.Metadata($"delivery/{order}/delivered"), order, command.ShipmentId), cancellationToken);
        }
        else
        {
            await tx.PublishAsync(
                new DeliveryFailed(events.Metadata($"delivery/{order}/failed"), order, command.ShipmentId, command.Reason!), cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return ReportDeliveryResult.Recorded;
    }

    private sealed record EndedShipment(Guid OrderId, string? TraceParent);
}
