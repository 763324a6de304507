using EcommerceEda.Messaging.Inbox;
using MassTransit;

namespace EcommerceEda.Orders.Fulfillment;

/// <summary>The order as the API shows it (<c>orders</c> and <c>order_history</c>), kept by the saga in its transaction.</summary>
internal static class OrderRecord
{
    private const string HistorySql = """
        INSERT INTO order_history (order_id, seq, status, at, reason)
        SELECT @OrderId, coalesce(max(seq), 0) + 1, @Status, @At, @Reason FROM order_history WHERE order_id = @OrderId;
        """;

    private const string StatusSql = "UPDATE orders SET status = @Status, updated_at = @At WHERE order_id = @OrderId;";

    /// <summary>The order is now <paramref name="status"/>, since <paramref name="at"/>.</summary>
    public static Task<int> MoveAsync(ConsumeContext context, Guid orderId, OrderStatus status, DateTimeOffset at, string? reason = null) =>
        ExecuteAsync(context, StatusSql + HistorySql, orderId, status, at, reason);

    /// <summary>The order went through <paramref name="status"/> at <paramref name="at"/>, news of which came late: history only.</summary>
    public static Task<int> RecordAsync(ConsumeContext context, Guid orderId, OrderStatus status, DateTimeOffset at) =>
        ExecuteAsync(context, HistorySql, orderId, status, at, reason: null);

    private static Task<int> ExecuteAsync(ConsumeContext context, string sql, Guid orderId, OrderStatus status, DateTimeOffset at, string? reason)
    {
        var tx = context.Transaction();
        return tx.ExecuteAsync(
            sql, new { OrderId = orderId, Status = status.ToString(), At = at.ToUniversalTime(), Reason = reason }, context.CancellationToken);
    }
}
