using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Idempotency;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Orders.Contracts;
using EcommerceEda.ServiceDefaults.Requests;
using Mediator;

namespace EcommerceEda.Orders.Features.PlaceOrder;

/// <summary>Place an order: the order row, its first history entry and <see cref="OrderPlaced"/> commit together.</summary>
public sealed record PlaceOrder(IdempotencyKey Key, PlaceOrderRequest Order) : ICommand<PlaceOrderResult>, IValidatable
{
    public IEnumerable<ValidationError> Validate() => Order.Validate();
}

/// <summary>The answer to <see cref="PlaceOrder"/>; <see cref="Claim"/> says whether it is new, replayed or refused.</summary>
public sealed record PlaceOrderResult(IdempotencyClaim Claim, PlacedOrder Order);

/// <summary>The body of the 202 answer.</summary>
public sealed record PlacedOrder(Guid OrderId, OrderStatus Status);

public sealed class PlaceOrderHandler(TransactionalOutbox outbox, TimeProvider clock) : ICommandHandler<PlaceOrder, PlaceOrderResult>
{
    private const string InsertOrderSql = """
        INSERT INTO orders (order_id, customer_id, status, currency, total, lines, shipping_address, placed_at, updated_at)
        VALUES (@OrderId, @CustomerId, @Status, @Currency, @Total, @Lines::jsonb, @ShippingAddress::jsonb, @At, @At);
        INSERT INTO order_history (order_id, seq, status, at) VALUES (@OrderId, 1, @Status, @At);
        """;

    public async ValueTask<PlaceOrderResult> Handle(PlaceOrder command, CancellationToken cancellationToken)
    {
        var placed = ToEvent(command.Order, Guid.CreateVersion7(), clock.GetUtcNow());

        await using var tx = await outbox.BeginTransactionAsync(cancellationToken);
        var (claim, answer) = await tx.ClaimAsync(
            "place-order", command.Key, command.Order, new PlacedOrder(placed.OrderId, OrderStatus.Placed), cancellationToken);
        if (claim != IdempotencyClaim.New)
        {
            return new PlaceOrderResult(claim, answer);
        }

        await tx.PublishAsync(placed, cancellationToken); // its outbox row goes with the order's rows: one round trip
        await tx.ExecuteAsync(InsertOrderSql, new
        {
            placed.OrderId,
            placed.CustomerId,
            Status = nameof(OrderStatus.Placed),
            placed.Currency,
            placed.Total,
            Lines = OrderJson.Serialize(placed.Lines),
            ShippingAddress = OrderJson.Serialize(placed.ShippingAddress),
            At = placed.Metadata.OccurredAt,
        }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new PlaceOrderResult(claim, answer);
    }

    /// <summary>The event that describes the order; called only with a request that passed validation.</summary>
    private static OrderPlaced ToEvent(PlaceOrderRequest order, Guid orderId, DateTimeOffset now)
    {
        var lines = order.Lines!.Select(l => new OrderLine(l.Sku!, l.Quantity!.Value, l.UnitPrice!.Value)).ToList();
        var address = order.ShippingAddress!;
        return new OrderPlaced(
            new EventMetadata(Guid.CreateVersion7(), $"orders/{orderId}/placed", "orders", now, SchemaVersion: 1),
            orderId,
            order.CustomerId!,
            order.Currency!,
            lines,
            lines.Sum(l => l.Quantity * l.UnitPrice),
            new ShippingAddress(address.Line1!, address.City!, address.PostalCode!, address.Country!));
    }
}
