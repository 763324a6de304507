using System.Text.Json.Nodes;

namespace EcommerceEda.EventDocs;

/// <summary>
/// Whether a message's current schema may replace its published version: every message of the published shape
/// must still be one of the new shape, and a consumer written for the published version must still understand
/// what is produced now. Compatible: a new optional field, a new enum value. Breaking: a field removed or renamed,
/// its type changed, an optional field made required, an enum value removed. Each breaking change names the field.
/// </summary>
public static class SchemaCompatibility
{
    public static IReadOnlyList<string> BreakingChanges(JsonNode published, JsonNode current)
    {
        var changes = new List<string>();
        Compare("", published, current, changes);
        return changes;
    }

    private static void Compare(string path, JsonNode? published, JsonNode? current, List<string> changes)
    {
        if (published is not JsonObject before || current is not JsonObject after)
        {
            return;
        }

        var (typesBefore, typesAfter) = (Types(before), Types(after));
        if (!typesBefore.SetEquals(typesAfter))
        {
            changes.Add($"{Field(path)}: type changed from {string.Join("|", typesBefore)} to {string.Join("|", typesAfter)}");
            return;
        }

        if (Value(before, "format") != Value(after, "format"))
        {
            changes.Add($"{Field(path)}: format changed from {Value(before, "format") ?? "none"} to {Value(after, "format") ?? "none"}");
        }

        if (before["enum"] is JsonArray enumBefore)
        {
            var allowed = after["enum"] is JsonArray enumAfter ? enumAfter.Select(v => v?.ToJsonString()).ToHashSet() : null;
            var names = before["x-enum-varnames"] as JsonArray;
            var removed = enumBefore.Select((value, index) => (Value: value?.ToJsonString(), Name: names?[index]?.GetValue<string>()))
                .Where(v => allowed is not null && !allowed.Contains(v.Value))
                .Select(v => v.Name is null ? v.Value : $"{v.Value} ({v.Name})")
                .ToList();
            if (removed.Count > 0)
            {
                changes.Add($"{Field(path)}: enum value {string.Join(", ", removed)} removed");
            }
        }

        if (before["properties"] is JsonObject propertiesBefore)
        {
            var propertiesAfter = after["properties"] as JsonObject ?? [];
            var requiredBefore = Names(before["required"]);
            var requiredAfter = Names(after["required"]);
            foreach (var (name, schema) in propertiesBefore)
            {
                var field = path.Length == 0 ? name : $"{path}.{name}";
                if (!propertiesAfter.TryGetPropertyValue(name, out var schemaAfter))
                {
                    changes.Add($"{field}: removed (or renamed)");
                    continue;
                }

                if (requiredAfter.Contains(name) && !requiredBefore.Contains(name))
                {
                    changes.Add($"{field}: optional before, required now");
                }

                Compare(field, schema, schemaAfter, changes);
            }
        }

        Compare($"{path}[]", before["items"], after["items"], changes);
    }

    // "type" may be a name or a list of names; no type at all (an enum, say) is any.
    private static HashSet<string> Types(JsonObject schema) => schema["type"] switch
    {
        JsonArray names => Names(names),
        JsonValue name => [name.GetValue<string>()],
        _ => ["any"],
    };

    private static HashSet<string> Names(JsonNode? array) =>
        array is JsonArray names ? names.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) : [];

    private static string? Value(JsonObject schema, string keyword) => schema[keyword] is JsonValue value ? value.GetValue<string>() : null;

    private static string Field(string path) => path.Length == 0 ? "the message" : path;
}
