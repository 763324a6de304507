using System.Text.Json;

namespace EcommerceEda.Messaging.Patterns;

/// <summary>Matches the fields of an event object: all of <see cref="Fields"/>, and one alternative of each <c>$or</c>.</summary>
internal sealed record ObjectMatcher(IReadOnlyList<(string Name, FieldMatcher Matcher)> Fields, IReadOnlyList<IReadOnlyList<ObjectMatcher>> Alternatives)
{
    public bool Matches(JsonElement @object) =>
        Fields.All(field => field.Matcher.Matches(@object.TryGetProperty(field.Name, out var value), value))
        && Alternatives.All(alternatives => alternatives.Any(alternative => alternative.Matches(@object)));
}

/// <summary>Matches one field of an event, present or not.</summary>
internal abstract record FieldMatcher
{
    public abstract bool Matches(bool present, JsonElement value);
}

/// <summary>A nested pattern: the field must be an object (or an array holding one) that matches it.</summary>
internal sealed record NestedMatcher(ObjectMatcher Pattern) : FieldMatcher
{
    public override bool Matches(bool present, JsonElement value) => present && value.ValueKind switch
    {
        JsonValueKind.Object => Pattern.Matches(value),
        JsonValueKind.Array => value.EnumerateArray().Any(element => element.ValueKind is JsonValueKind.Object && Pattern.Matches(element)),
        _ => false,
    };
}

/// <summary>A leaf: any of its values; an array in the event matches when any element does.</summary>
internal sealed record LeafMatcher(IReadOnlyList<ValueMatcher> Values) : FieldMatcher
{
    public override bool Matches(bool present, JsonElement value) => Values.Any(matcher => matcher switch
    {
        ExistsMatcher exists => exists.Expected == present,
        _ when !present => false,
        _ when value.ValueKind is JsonValueKind.Array => value.EnumerateArray().Any(matcher.Matches),
        _ => matcher.Matches(value),
    });
}

/// <summary>One accepted value of a leaf.</summary>
internal abstract record ValueMatcher
{
    public abstract bool Matches(JsonElement value);
}

internal sealed record ExistsMatcher(bool Expected) : ValueMatcher
{
    public override bool Matches(JsonElement value) => Expected;
}

internal sealed record ExactMatcher(JsonElement Expected) : ValueMatcher
{
    public override bool Matches(JsonElement value) => (Expected.ValueKind, value.ValueKind) switch
    {
        (JsonValueKind.String, JsonValueKind.String) => Expected.GetString() == value.GetString(),
        (JsonValueKind.Number, JsonValueKind.Number) => Numbers.Compare(Expected, value) == 0,
        (JsonValueKind.True or JsonValueKind.False, _) or (JsonValueKind.Null, _) => Expected.ValueKind == value.ValueKind,
        _ => false,
    };
}

internal sealed record StringMatcher(Func<string, bool> Test) : ValueMatcher
{
    public override bool Matches(JsonElement value) => value.ValueKind is JsonValueKind.String && Test(value.GetString()!);
}

internal sealed record NumericMatcher(IReadOnlyList<(string Operator, double Operand)> Conditions) : ValueMatcher
{
    public override bool Matches(JsonElement value) =>
        value.ValueKind is JsonValueKind.Number && value.GetDouble() is var number && Conditions.All(c => c.Operator switch
        {
            "=" => number == c.Operand,
            "<" => number < c.Operand,
            "<=" => number <= c.Operand,
            ">" => number > c.Operand,
            ">=" => number >= c.Operand,
            _ => false,
        });
}

internal static class Numbers
{
    /// <summary>Compares two JSON numbers by value (5 equals 5.0), exactly when both fit a decimal.</summary>
    public static int Compare(JsonElement left, JsonElement right) =>
        left.TryGetDecimal(out var l) && right.TryGetDecimal(out var r) ? l.CompareTo(r) : left.GetDouble().CompareTo(right.GetDouble());
}

/// <summary>Matches a value that matches none of <see cref="Excluded"/>.</summary>
internal sealed record AnythingButMatcher(IReadOnlyList<ValueMatcher> Excluded) : ValueMatcher
{
    public override bool Matches(JsonElement value) => !Excluded.Any(excluded => excluded.Matches(value));
}
