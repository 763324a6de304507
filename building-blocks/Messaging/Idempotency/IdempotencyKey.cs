using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EcommerceEda.Messaging.Idempotency;

/// <summary>The value of an <c>Idempotency-Key</c> header: 1–64 characters of <c>[A-Za-z0-9_-]</c>.</summary>
public sealed partial record IdempotencyKey
{
    /// <summary>The header's name.</summary>
    public const string HeaderName = "Idempotency-Key";

    /// <summary>The rule, as a 400 says it.</summary>
    public const string Rule = "The Idempotency-Key header is required: 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.";

    private IdempotencyKey(string value) => Value = value;

    /// <summary>The key as the client sent it.</summary>
    public string Value { get; }

    /// <summary>Parses a header value; false when it breaks the rule.</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out IdempotencyKey? key)
    {
        key = value is not null && Format().IsMatch(value) ? new IdempotencyKey(value) : null;
        return key is not null;
    }

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>The 400 for a request without a valid key.</summary>
    public static ProblemHttpResult MissingOrMalformed() => TypedResults.Problem(Rule, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The 422 for a key used before with another request.</summary>
    public ProblemHttpResult ReusedWithAnotherRequest() =>
        TypedResults.Problem(
            $"The {HeaderName} '{Value}' was already used with a different request.", statusCode: StatusCodes.Status422UnprocessableEntity);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Format();
}
