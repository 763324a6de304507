using System.Text.Json.Nodes;

namespace EcommerceEda.EventDocs;

/// <summary>
/// Whether a message's current schema may replace its published version. Both ways must hold: a message published
/// before (waiting in an outbox, a queue, a dead-letter queue, the stream) must still read as the new shape, and a
/// consumer written for the published version must still understand what is produced now. Compatible: a new
/// optional field, a new enum value. Breaking: a field removed or renamed, its type or format changed, a field made
/// required or optional, a new required field, an enum value removed or a field restricted to an enum.
/// </summary>
public static class SchemaCompatibility
{
    /// <summary>Each breaking change from <paramref name="published"/> to <paramref name="current"/>, naming its field.</summary>
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

        if (before["enum"] is null && after["enum"] is JsonArray restricted)
        {
            changes.Add($"{Field(path)}: restricted to the enum values {string.Join(", ", restricted.Select(v => v?.ToJsonString()))}");
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
                var field = Child(path, name);
                if (!propertiesAfter.TryGetPropertyValue(name, out var schemaAfter))
                {
                    changes.Add($"{field}: removed (or renamed)");
                    continue;
                }

                if (requiredAfter.Contains(name) != requiredBefore.Contains(name))
                {
                    changes.Add(requiredAfter.Contains(name) ? $"{field}: optional before, required now" : $"{field}: required before, optional now");
                }

                Compare(field, schema, schemaAfter, changes);
            }

            foreach (var added in requiredAfter.Where(name => !propertiesBefore.ContainsKey(name)).Order(StringComparer.Ordinal))
            {
                changes.Add($"{Child(path, added)}: added as required (messages published before lack it: give it a default)");
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

    private static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Field(string path) => path.Length == 0 ? "the message" : path;
}
