using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace EcommerceEda.Orders.Idempotency;

/// <summary>The value of an <c>Idempotency-Key</c> header: 1–64 characters of <c>[A-Za-z0-9_-]</c>.</summary>
public sealed partial record IdempotencyKey
{
    public const string HeaderName = "Idempotency-Key";

    public const string Rule = "The Idempotency-Key header is required: 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.";

    private IdempotencyKey(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse(string? value, [NotNullWhen(true)] out IdempotencyKey? key)
    {
        key = value is not null && Format().IsMatch(value) ? new IdempotencyKey(value) : null;
        return key is not null;
    }

    public override string ToString() => Value;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Format();
}
