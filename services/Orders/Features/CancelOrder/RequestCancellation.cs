using EcommerceEda.Messaging.Outbox;
using Mediator;

namespace EcommerceEda.Orders.Features.CancelOrder;

/// <summary>A customer's cancellation of their own order: accepted until the order ships, then too late.</summary>
public sealed record RequestCancellation(Guid OrderId, string CustomerId) : ICommand<CancellationAnswer>;

public enum CancellationAnswer
{
    Accepted,
    NotFound,
    TooLate,
}

/// <summary>
/// Answers at once from the order's status, and hands the cancellation to the saga, which releases what
/// Warehouse holds. A cancellation accepted while the order is being shipped is still refused by the saga
/// if the shipment wins: accepted means the request is taken, as 202 says.
/// </summary>
public sealed class RequestCancellationHandler(TransactionalOutbox outbox) : ICommandHandler<RequestCancellation, CancellationAnswer>
{
    private static readonly string[] Cancellable = [nameof(OrderStatus.Placed), nameof(OrderStatus.StockReserved), nameof(OrderStatus.Picked)];

    public async ValueTask<CancellationAnswer> Handle(RequestCancellation command, CancellationToken cancellationToken)
    {
        await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
        var status = await tx.ExecuteScalarAsync<string?>(
            "SELECT status FROM orders WHERE order_id = @OrderId AND customer_id = @CustomerId FOR UPDATE", command, cancellationToken);
        if (status is null) // or another customer's
        {
            return CancellationAnswer.NotFound;
        }

        if (status == nameof(OrderStatus.Cancelled))
        {
            return CancellationAnswer.Accepted; // already: asking again changes nothing
        }

        if (!Cancellable.Contains(status))
        {
            return CancellationAnswer.TooLate;
        }

        await tx.PublishAsync(new Fulfillment.CancelOrder(command.OrderId), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return CancellationAnswer.Accepted;
    }
}
