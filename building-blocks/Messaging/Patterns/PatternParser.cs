using System.Text.Json;
using System.Text.RegularExpressions;

namespace EcommerceEda.Messaging.Patterns;

/// <summary>Turns pattern JSON into matchers, or says which field is wrong and what it should look like.</summary>
internal static class PatternParser
{
    private static readonly string[] Operators =
        ["prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists"];

    private static readonly string[] Comparisons = ["=", "<", "<=", ">", ">="];

    public static ObjectMatcher Object(JsonElement pattern, string path)
    {
        var fields = new List<(string, FieldMatcher)>();
        var alternatives = new List<IReadOnlyList<ObjectMatcher>>();
        foreach (var property in pattern.EnumerateObject())
        {
            var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (property.Name == "$or")
            {
                alternatives.Add(Alternatives(property.Value, at));
                continue;
            }

            fields.Add((property.Name, property.Value.ValueKind switch
            {
                JsonValueKind.Object => new NestedMatcher(Object(property.Value, at)),
                JsonValueKind.Array => Leaf(property.Value, at),
                _ => throw Invalid(at, "a leaf is an array of accepted values, such as [\"AU\", \"NZ\"] or [{\"prefix\": \"A\"}]"),
            }));
        }

        return new ObjectMatcher(fields, alternatives);
    }

    private static List<ObjectMatcher> Alternatives(JsonElement value, string at) =>
        value.ValueKind is JsonValueKind.Array && value.GetArrayLength() >= 2
        && value.EnumerateArray().All(alternative => alternative.ValueKind is JsonValueKind.Object)
            ? [.. value.EnumerateArray().Select((alternative, i) => Object(alternative, $"{at}[{i}]"))]
            : throw Invalid(at, "$or is an array of two or more patterns (objects)");

    private static LeafMatcher Leaf(JsonElement values, string at) =>
        values.GetArrayLength() == 0
            ? throw Invalid(at, "a leaf needs at least one accepted value")
            : new LeafMatcher([.. values.EnumerateArray().Select((value, i) => Value(value, $"{at}[{i}]"))]);

    private static ValueMatcher Value(JsonElement value, string at) => value.ValueKind switch
    {
        JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null =>
            new ExactMatcher(value.Clone()),
        JsonValueKind.Object => Operator(value, at),
        _ => throw Invalid(at, "an accepted value is a string, number, boolean, null or an operator object"),
    };

    private static ValueMatcher Operator(JsonElement value, string at)
    {
        var properties = value.EnumerateObject().ToList();
        if (properties.Count != 1 || !Operators.Contains(properties[0].Name))
        {
            throw Invalid(at, $"an operator object has one of {string.Join(", ", Operators)}");
        }

        var (name, operand) = (properties[0].Name, properties[0].Value);
        var here = $"{at}.{name}";
        return name switch
        {
            "prefix" => Affix(operand, here, (text, affix, comparison) => text.StartsWith(affix, comparison)),
            "suffix" => Affix(operand, here, (text, affix, comparison) => text.EndsWith(affix, comparison)),
            "equals-ignore-case" => EqualsIgnoringCase(Text(operand, here)),
            "wildcard" => Wildcard(Text(operand, here), here),
            "anything-but" => AnythingBut(operand, here),
            "numeric" => Numeric(operand, here),
            _ => operand.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? new ExistsMatcher(operand.GetBoolean())
                : throw Invalid(here, "exists is true or false"),
        };
    }

    private static StringMatcher Affix(JsonElement operand, string at, Func<string, string, StringComparison, bool> test)
    {
        if (operand.ValueKind is JsonValueKind.Object
            && operand.EnumerateObject().ToList() is [{ Name: "equals-ignore-case" } ignoreCase])
        {
            var affix = Text(ignoreCase.Value, $"{at}.equals-ignore-case");
            return new StringMatcher(text => test(text, affix, StringComparison.OrdinalIgnoreCase));
        }

        var exact = Text(operand, at);
        return new StringMatcher(text => test(text, exact, StringComparison.Ordinal));
    }

    private static StringMatcher EqualsIgnoringCase(string expected) =>
        new(text => string.Equals(text, expected, StringComparison.OrdinalIgnoreCase));

    private static StringMatcher Wildcard(string wildcard, string at)
    {
        if (wildcard.Contains("**", StringComparison.Ordinal))
        {
            throw Invalid(at, "consecutive wildcards (**) are not supported");
        }

        // '*' matches any run of characters; '\*' is a literal star.
        var parts = Regex.Split(wildcard, @"(?<!\\)\*").Select(part => Regex.Escape(part.Replace(@"\*", "*", StringComparison.Ordinal)));
        var regex = new Regex($"^{string.Join(".*", parts)}$", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return new StringMatcher(regex.IsMatch);
    }

    private static AnythingButMatcher AnythingBut(JsonElement operand, string at) => operand.ValueKind switch
    {
        JsonValueKind.String or JsonValueKind.Number => new AnythingButMatcher([new ExactMatcher(operand.Clone())]),
        JsonValueKind.Array when operand.GetArrayLength() > 0
            && operand.EnumerateArray().All(v => v.ValueKind is JsonValueKind.String or JsonValueKind.Number) =>
            new AnythingButMatcher([.. operand.EnumerateArray().Select(v => new ExactMatcher(v.Clone()))]),
        JsonValueKind.Object when operand.EnumerateObject().ToList() is [{ Name: "prefix" or "suffix" or "equals-ignore-case" or "wildcard" }] =>
            new AnythingButMatcher([Operator(operand, at)]),
        _ => throw Invalid(at, "anything-but takes a value, an array of values, or one of prefix, suffix, equals-ignore-case, wildcard"),
    };

    private static NumericMatcher Numeric(JsonElement operand, string at)
    {
        var items = operand.ValueKind is JsonValueKind.Array ? operand.EnumerateArray().ToList() : [];
        if (items.Count is not (2 or 4))
        {
            throw Invalid(at, "numeric takes an operator and a number, or two of each: [\">\", 0, \"<=\", 5]");
        }

        var conditions = new List<(string, double)>();
        for (var i = 0; i < items.Count; i += 2)
        {
            var op = items[i].ValueKind is JsonValueKind.String ? items[i].GetString()! : "";
            if (!Comparisons.Contains(op) || items[i + 1].ValueKind is not JsonValueKind.Number)
            {
                throw Invalid(at, $"numeric conditions are one of {string.Join(" ", Comparisons)} followed by a number");
            }

            conditions.Add((op, items[i + 1].GetDouble()));
        }

        return new NumericMatcher(conditions);
    }

    private static string Text(JsonElement operand, string at) =>
        operand.ValueKind is JsonValueKind.String ? operand.GetString()! : throw Invalid(at, "expects a string");

    private static EventPatternException Invalid(string at, string expected) =>
        new($"Invalid event pattern at '{(at.Length == 0 ? "(root)" : at)}': {expected}.");
}
