using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Messaging.Patterns;
using EcommerceEda.Orders.Contracts;
using MassTransit;

namespace EcommerceEda.Support.Features.FollowUps;

/// <summary>
/// Opens a priority follow-up for a placed order that is big or ships to a country Support watches.
/// The choice is the subscription's <see cref="Pattern"/>: other orders never reach this consumer.
/// </summary>
public sealed class PriorityFollowUpConsumer(TimeProvider clock) : IConsumer<OrderPlaced>
{
    public const decimal PriorityTotal = 1000m;

    public static readonly IReadOnlyList<string> WatchedCountries = ["JP", "NZ", "SG"];

    /// <summary>OrderPlaced with a total of at least <see cref="PriorityTotal"/>, or shipping to a watched country.</summary>
    public static readonly EventPattern Pattern = EventPattern.Parse($$"""
        {
          "source": ["orders"],
          "detail-type": ["OrderPlaced"],
          "detail": {
            "data": {
              "$or": [
                { "total": [{ "numeric": [">=", {{PriorityTotal}}] }] },
                { "shippingAddress": { "country": ["{{string.Join("\", \"", WatchedCountries)}}"] } }
              ]
            }
          }
        }
        """);

    private const string InsertSql = """
        INSERT INTO follow_ups (order_id, customer_id, reason, total, currency, country, opened_at)
        VALUES (@OrderId, @CustomerId, @Reason, @Total, @Currency, @Country, @OpenedAt)
        ON CONFLICT (order_id) DO NOTHING
        """;

    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        var tx = context.Transaction();
        var order = context.Message;
        var reason = order.Total >= PriorityTotal
            ? $"total {order.Total} {order.Currency} is at least {PriorityTotal}"
            : $"ships to {order.ShippingAddress.Country}";
        await tx.ExecuteAsync(InsertSql, new
        {
            order.OrderId,
            order.CustomerId,
            Reason = reason,
            order.Total,
            order.Currency,
            order.ShippingAddress.Country,
            OpenedAt = clock.GetUtcNow(),
        }, context.CancellationToken);
    }
}
