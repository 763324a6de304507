using System.Text.RegularExpressions;

namespace EcommerceEda.Warehouse;

/// <summary>The stock of one SKU as the API shows it.</summary>
public sealed record StockView(string Sku, int OnHand, int Reserved)
{
    public const string SelectSql = "SELECT sku AS Sku, on_hand AS OnHand, reserved AS Reserved FROM stock WHERE sku = @Sku";

    public int Available => OnHand - Reserved;
}

public static partial class Sku
{
    /// <summary>1 to 64 characters of <c>[A-Za-z0-9_-]</c>, as Orders accepts them.</summary>
    public static bool IsValidSku(this string? sku) => sku is not null && Format().IsMatch(sku);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Format();
}
