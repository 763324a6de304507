using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Warehouse.Features.ReserveStock;

namespace EcommerceEda.Warehouse.Features;

/// <summary>
/// Every change to on-hand and reserved counts. Each locks the stock rows it touches in SKU order first, as
/// reservations do, so two transactions moving stock of the same SKUs never deadlock; the table's CHECKs
/// refuse anything that would oversell.
/// </summary>
internal static class StockMovements
{
    /// <summary>Reserved units leave the shelves.</summary>
    public const string Pick = "on_hand = stock.on_hand - r.quantity, reserved = stock.reserved - r.quantity";

    /// <summary>Reserved units become available again.</summary>
    public const string Unreserve = "reserved = stock.reserved - r.quantity";

    /// <summary>Units come back to the shelves (a failed delivery, a return).</summary>
    public const string PutBack = "on_hand = stock.on_hand + r.quantity";

    public static Task ApplyAsync(
        OutboxTransaction tx, string movement, IReadOnlyList<RequestedStock> lines, DateTimeOffset at, CancellationToken cancellationToken) =>
        tx.ExecuteAsync( // the lock and the change in one round trip, the lock first
            $"""
            SELECT sku FROM stock WHERE sku = ANY(@Skus) ORDER BY sku FOR UPDATE;
            UPDATE stock SET {movement}, updated_at = @At
            FROM unnest(@Skus, @Quantities) AS r(sku, quantity)
            WHERE stock.sku = r.sku
            """,
            new { Skus = lines.Select(l => l.Sku).ToArray(), Quantities = lines.Select(l => l.Quantity).ToArray(), At = at },
            cancellationToken);
}
