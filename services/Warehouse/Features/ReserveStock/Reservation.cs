namespace EcommerceEda.Warehouse.Features.ReserveStock;

/// <summary>The stock of one SKU as locked for a reservation.</summary>
public sealed record StockLevel(string Sku, int OnHand, int Reserved)
{
    public int Available => OnHand - Reserved;
}

/// <summary>A quantity of one SKU an order needs.</summary>
public sealed record RequestedStock(string Sku, int Quantity);

/// <summary>How much of a SKU an order lacks.</summary>
public sealed record Shortfall(string Sku, int Requested, int Available);

/// <summary>The rule of reservation, apart from the database: all lines or none.</summary>
public static class Reservation
{
    /// <summary>What each SKU lacks; empty when the whole order can be reserved. Unknown SKUs have nothing available.</summary>
    public static IReadOnlyList<Shortfall> Shortfalls(
        IEnumerable<RequestedStock> requested, IEnumerable<StockLevel> stock)
    {
        var available = stock.ToDictionary(s => s.Sku, s => s.Available, StringComparer.Ordinal);
        return [.. requested
            .Select(r => new Shortfall(r.Sku, r.Quantity, available.GetValueOrDefault(r.Sku)))
            .Where(s => s.Requested > s.Available)];
    }

    /// <summary>The quantity per SKU, however many lines name it.</summary>
    public static IReadOnlyList<RequestedStock> PerSku(IEnumerable<RequestedStock> lines) =>
        [.. lines.GroupBy(l => l.Sku, StringComparer.Ordinal)
            .Select(g => new RequestedStock(g.Key, g.Sum(l => l.Quantity)))
            .OrderBy(r => r.Sku, StringComparer.Ordinal)];
}
