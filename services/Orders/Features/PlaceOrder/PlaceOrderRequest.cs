using System.Text.RegularExpressions;
using EcommerceEda.ServiceDefaults.Requests;

namespace EcommerceEda.Orders.Features.PlaceOrder;

/// <summary>The body of <c>POST /api/orders</c>. Every field is nullable so a missing one is reported, not thrown.</summary>
public sealed partial record PlaceOrderRequest(
    string? CustomerId,
    string? Currency,
    IReadOnlyList<PlaceOrderLine>? Lines,
    PlaceOrderAddress? ShippingAddress)
{
    public const int MaxLines = 100;
    public const int MaxQuantity = 1_000;
    public const decimal MaxUnitPrice = 1_000_000m;

    /// <summary>ISO 4217 codes the store sells in.</summary>
    public static readonly IReadOnlySet<string> Currencies =
        new HashSet<string>(["AUD", "CAD", "CHF", "EUR", "GBP", "JPY", "NZD", "SEK", "USD"], StringComparer.Ordinal);

    public IEnumerable<ValidationError> Validate()
    {
        if (string.IsNullOrWhiteSpace(CustomerId) || !Identifier().IsMatch(CustomerId))
        {
            yield return new("customerId", "Required: 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.");
        }

        if (Currency is null || !Currencies.Contains(Currency))
        {
            yield return new("currency", $"Required: one of {string.Join(", ", Currencies.Order())}.");
        }

        foreach (var error in ValidateLines())
        {
            yield return error;
        }

        foreach (var error in ValidateAddress())
        {
            yield return error;
        }
    }

    private IEnumerable<ValidationError> ValidateLines()
    {
        if (Lines is null || Lines.Count is 0 or > MaxLines)
        {
            yield return new("lines", $"Required: 1 to {MaxLines} lines.");
            yield break;
        }

        var skus = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Lines.Count; i++)
        {
            var line = Lines[i];
            var at = $"lines[{i}]";
            if (line is null)
            {
                yield return new(at, "Required.");
                continue;
            }

            if (line.Sku is null || !Identifier().IsMatch(line.Sku))
            {
                yield return new($"{at}.sku", "Required: 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.");
            }
            else if (!skus.Add(line.Sku))
            {
                yield return new($"{at}.sku", "Each SKU may appear on one line only.");
            }

            if (line.Quantity is null or < 1 or > MaxQuantity)
            {
                yield return new($"{at}.quantity", $"Required: a whole number from 1 to {MaxQuantity}.");
            }

            if (line.UnitPrice is null or < 0 or > MaxUnitPrice || decimal.Round(line.UnitPrice.Value, 2) != line.UnitPrice)
            {
                yield return new($"{at}.unitPrice", $"Required: from 0 to {MaxUnitPrice} with at most 2 decimals.");
            }
        }
    }

    private IEnumerable<ValidationError> ValidateAddress()
    {
        if (ShippingAddress is null)
        {
            yield return new("shippingAddress", "Required.");
            yield break;
        }

        if (!IsText(ShippingAddress.Line1, 200))
        {
            yield return new("shippingAddress.line1", "Required: at most 200 characters.");
        }

        if (!IsText(ShippingAddress.City, 100))
        {
            yield return new("shippingAddress.city", "Required: at most 100 characters.");
        }

        if (!IsText(ShippingAddress.PostalCode, 20))
        {
            yield return new("shippingAddress.postalCode", "Required: at most 20 characters.");
        }

        if (ShippingAddress.Country is null || !CountryCode().IsMatch(ShippingAddress.Country))
        {
            yield return new("shippingAddress.country", "Required: an ISO 3166-1 alpha-2 code such as AU.");
        }
    }

    private static bool IsText(string? value, int maxLength) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= maxLength;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Identifier();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();
}

public sealed record PlaceOrderLine(string? Sku, int? Quantity, decimal? UnitPrice);

public sealed record PlaceOrderAddress(string? Line1, string? City, string? PostalCode, string? Country);
