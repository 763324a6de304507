using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Idempotency;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.ServiceDefaults.Requests;
using EcommerceEda.Support.Contracts;
using Mediator;

namespace EcommerceEda.Support.Features.Returns;

/// <summary>The body of <c>POST /api/returns</c>.</summary>
public sealed record RequestReturnRequest(Guid? OrderId, string? Reason);

/// <summary>
/// A customer asks to return their delivered order; Orders refunds it once Support receives the goods.
/// </summary>
public sealed record RequestReturn(IdempotencyKey Key, RequestReturnRequest Return, string CustomerId) : ICommand<RequestReturnResult>, IValidatable
{
    public IEnumerable<ValidationError> Validate()
    {
        if (Return.OrderId is null || Return.OrderId == Guid.Empty)
        {
            yield return new("orderId", "Required: the id of a delivered order.");
        }

        if (string.IsNullOrWhiteSpace(Return.Reason) || Return.Reason.Length > 500)
        {
            yield return new("reason", "Required: at most 500 characters.");
        }
    }
}

public enum ReturnOutcome
{
    Requested,
    Replayed,
    KeyReused,
    NotDelivered,
    AlreadyReturned,
    NotTheCustomers,
}

/// <summary>The answer to <see cref="RequestReturn"/>.</summary>
public sealed record RequestReturnResult(ReturnOutcome Outcome, RequestedReturn Return);

/// <summary>The body of the 202 answer.</summary>
public sealed record RequestedReturn(Guid ReturnId);

/// <summary>
/// Records the return and publishes <see cref="ReturnRequested"/> in one transaction. Support knows an order was
/// delivered, and whose it is, from its own timeline (built from the event stream), not by asking Orders.
/// </summary>
public sealed class RequestReturnHandler(TransactionalOutbox outbox, EventSource events) : ICommandHandler<RequestReturn, RequestReturnResult>
{
    private const string OrderSql = """
        SELECT (SELECT customer_id FROM timeline_entries WHERE order_id = @OrderId AND customer_id IS NOT NULL LIMIT 1) AS CustomerId,
               EXISTS (SELECT 1 FROM timeline_entries WHERE order_id = @OrderId AND event_type = 'OrderDelivered') AS Delivered
        """;

    private const string InsertSql = """
        INSERT INTO returns (return_id, order_id, customer_id, reason, status, requested_at)
        VALUES (@ReturnId, @OrderId, @CustomerId, @Reason, 'Requested', @At)
        ON CONFLICT (order_id) DO NOTHING
        """;

    public async ValueTask<RequestReturnResult> Handle(RequestReturn command, CancellationToken cancellationToken)
    {
        var orderId = command.Return.OrderId!.Value;
        var requested = new ReturnRequested(
            events.Metadata($"support/{orderId}/return-requested"), Guid.CreateVersion7(), orderId, "", command.Return.Reason!);
        await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
        var (claim, answer) = await tx.ClaimAsync("request-return", command.Key, command.Return, new RequestedReturn(requested.ReturnId), cancellationToken);
        if (claim != IdempotencyClaim.New)
        {
            return new RequestReturnResult(claim == IdempotencyClaim.Replay ? ReturnOutcome.Replayed : ReturnOutcome.KeyReused, answer);
        }

        // Rolled back unless requested: the key stays free.
        var order = await tx.QuerySingleAsync<(string? CustomerId, bool Delivered)>(OrderSql, new { OrderId = orderId }, cancellationToken);
        if (order.CustomerId is not null && order.CustomerId != command.CustomerId)
        {
            return new RequestReturnResult(ReturnOutcome.NotTheCustomers, answer); // another customer's order is not found
        }

        if (order.CustomerId is null || !order.Delivered)
        {
            return new RequestReturnResult(ReturnOutcome.NotDelivered, answer);
        }

        requested = requested with { CustomerId = order.CustomerId };
        var inserted = await tx.ExecuteAsync(InsertSql, new
        {
            requested.ReturnId,
            requested.OrderId,
            requested.CustomerId,
            requested.Reason,
            At = requested.Metadata.OccurredAt,
        }, cancellationToken);
        if (inserted == 0)
        {
            return new RequestReturnResult(ReturnOutcome.AlreadyReturned, answer);
        }

        await tx.PublishAsync(requested, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new RequestReturnResult(ReturnOutcome.Requested, answer);
    }
}
