using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using EcommerceEda.Messaging;

namespace EcommerceEda.EventDocs;

/// <summary>
/// A message's JSON Schema and an example payload, both from its type and the serializer options MassTransit uses
/// on the wire (<see cref="MessageJson"/>): camelCase names; a constructor parameter is required, and a
/// reference type is nullable only where the contract says so (<c>string?</c>).
/// </summary>
public static class MessageSchemas
{
    private static readonly JsonSerializerOptions Options = new(MessageJson.Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly DateTimeOffset ExampleTime = new(2026, 1, 15, 9, 30, 0, TimeSpan.Zero);

    /// <summary>The schema of <paramref name="type"/>'s payload, property descriptions taken from its documentation.</summary>
    public static JsonObject Of(Type type) => (JsonObject)Options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = (context, schema) =>
        {
            schema = WireShape(context.TypeInfo.Type, schema);
            if (context.PropertyInfo is { DeclaringType: { } declaring, AttributeProvider: MemberInfo member } && schema is JsonObject node
                && XmlDocs.Parameter(declaring, member.Name) is { Length: > 0 } description)
            {
                // First, before what the type itself says (a decimal's wire format).
                var about = node["description"]?.GetValue<string>();
                node.Remove("description");
                node.Insert(0, "description", about is null ? description : $"{description} {about}");
            }

            return schema;
        },
    });

    // What the exporter cannot see: MassTransit writes a decimal as a string (its own converter, which the exporter
    // shows as "anything"), and an enum as its number, whose names a reader needs.
    private static JsonNode WireShape(Type type, JsonNode schema)
    {
        if (type == typeof(decimal))
        {
            return new JsonObject { ["type"] = "string", ["pattern"] = "^-?[0-9]+(\\.[0-9]+)?$", ["description"] = "A decimal number, written as a string." };
        }

        if (type.IsEnum && schema is JsonObject number)
        {
            number["enum"] = new JsonArray([.. Enum.GetValues(type).Cast<object>().Select(v => JsonValue.Create(Convert.ToInt32(v, CultureInfo.InvariantCulture)))]);
            number["x-enum-varnames"] = new JsonArray([.. Enum.GetNames(type).Select(n => JsonValue.Create(n))]);
            return number;
        }

        return schema is JsonValue { } anything && anything.GetValueKind() == JsonValueKind.True
            ? throw new NotSupportedException($"{type.Name} is written by a custom converter: say in {nameof(MessageSchemas)} what it looks like on the wire.")
            : schema;
    }

    /// <summary>The published schema file of <paramref name="message"/>: its payload schema with an id, a title and a description.</summary>
    public static JsonObject Document(MessageContract message)
    {
        var document = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"urn:message:{message.Urn}",
            ["title"] = message.Title,
            ["description"] = XmlDocs.Summary(message.Type),
        };
        foreach (var (name, value) in Of(message.Type))
        {
            document[name] = value?.DeepClone();
        }

        return document;
    }

    /// <summary>An example payload, as a subscriber receives it: an instance built with typical values, serialized for the wire.</summary>
    public static JsonNode Example(MessageContract message) =>
        JsonSerializer.SerializeToNode(Instance(message.Type, message), message.Type, MessageJson.Options)!;

    /// <summary>Indented JSON with a final newline, as the files are written.</summary>
    public static string Format(JsonNode node) => node.ToJsonString(Indented) + "\n";

    private static object Instance(Type type, MessageContract message)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        return constructor.Invoke([.. constructor.GetParameters().Select(p => Value(p.ParameterType, p.Name!, message))]);
    }

    // Values a reader recognises; ids derive from the name, so one order has one id in every example.
    private static object? Value(Type type, string name, MessageContract message) => type switch
    {
        _ when type == typeof(EventMetadata) => new EventMetadata(
            Id(message.Key), $"{message.Owner}/{Id("orderId")}/{message.Name}", message.Owner, ExampleTime, message.Version),
        _ when type == typeof(Guid) => Id(name),
        _ when type == typeof(string) => ExampleText(name),
        _ when type == typeof(int) => 2,
        _ when type == typeof(decimal) => name.Contains("price", StringComparison.OrdinalIgnoreCase) ? 9.95m : 19.90m,
        _ when type == typeof(DateTimeOffset) => ExampleTime,
        _ when type.IsEnum => Enum.GetValues(type).GetValue(0),
        _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) => List(type.GetGenericArguments()[0], name, message),
        _ when Nullable.GetUnderlyingType(type) is { } underlying => Value(underlying, name, message),
        _ when type.IsClass => Instance(type, message),
        _ => throw new NotSupportedException($"No example value for {type.Name} {name}: add one to {nameof(MessageSchemas)}."),
    };

    private static Array List(Type item, string name, MessageContract message)
    {
        var list = Array.CreateInstance(item, 1);
        list.SetValue(Value(item, name, message), 0);
        return list;
    }

    private static string ExampleText(string name) => name.ToUpperInvariant() switch
    {
        "CUSTOMERID" => "customer-42",
        "CURRENCY" => "EUR",
        "SKU" => "SKU-1001",
        "LINE1" => "1 Market Street",
        "CITY" => "Lyon",
        "POSTALCODE" => "69002",
        "COUNTRY" => "FR",
        "CARRIER" => "Simulated Courier",
        "TRACKINGNUMBER" => "SIM-000123",
        _ => $"{name} text",
    };

    private static Guid Id(string name) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes(name.ToUpperInvariant())).AsSpan(0, 16));
}
