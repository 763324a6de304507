using System.Text.Json;

namespace EcommerceEda.Messaging.Patterns;

/// <summary>
/// An EventBridge event pattern: a JSON object that mirrors the shape of the events it selects, with an
/// array of accepted values at each leaf. An event matches when every field of the pattern matches (fields
/// the pattern leaves out are ignored), a leaf matches when any of its values matches, and an array in the
/// event matches when any of its elements does. Leaf values are exact values, or
/// <c>{"prefix"}</c>, <c>{"suffix"}</c> (both also with <c>equals-ignore-case</c>), <c>{"equals-ignore-case"}</c>,
/// <c>{"wildcard"}</c>, <c>{"anything-but"}</c>, <c>{"numeric"}</c> and <c>{"exists"}</c>; <c>"$or"</c> takes
/// alternative patterns. See https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html.
/// </summary>
public sealed class EventPattern
{
    private readonly ObjectMatcher _root;

    private EventPattern(ObjectMatcher root, string json)
    {
        _root = root;
        Json = json;
    }

    /// <summary>The pattern as it was written.</summary>
    public string Json { get; }

    /// <summary>Parses a pattern; throws <see cref="EventPatternException"/> naming the field that is wrong.</summary>
    public static EventPattern Parse(string patternJson)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(patternJson);
        }
        catch (JsonException e)
        {
            throw new EventPatternException($"The pattern is not JSON: {e.Message}");
        }

        using (document)
        {
            return document.RootElement.ValueKind is JsonValueKind.Object
                ? new EventPattern(PatternParser.Object(document.RootElement, path: ""), patternJson)
                : throw new EventPatternException("A pattern is a JSON object, such as {\"source\": [\"orders\"]}.");
        }
    }

    /// <summary>Whether the event (a JSON object) matches.</summary>
    public bool Matches(string eventJson)
    {
        using var document = JsonDocument.Parse(eventJson);
        return Matches(document.RootElement);
    }

    /// <summary>Whether the event (a JSON object) matches.</summary>
    public bool Matches(JsonElement @event) => @event.ValueKind is JsonValueKind.Object && _root.Matches(@event);

    /// <inheritdoc />
    public override string ToString() => Json;
}

/// <summary>A pattern that cannot be used; the message names the field and what is expected there.</summary>
public sealed class EventPatternException(string message) : Exception(message);
