using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using EcommerceEda.Messaging.Subscriptions;
using EcommerceEda.Messaging.Topology;

namespace EcommerceEda.EventDocs;

/// <summary>The pieces of the AsyncAPI document: a message, a channel with its AMQP binding, an operation, a retry policy.</summary>
internal static class AsyncApiParts
{
    private const string BindingVersion = "0.3.0";

    public static JsonObject Message(MessageContract message) => new()
    {
        ["name"] = message.Title,
        ["title"] = $"{message.Title} v{message.Version}",
        ["summary"] = XmlDocs.Summary(message.Type),
        ["contentType"] = "application/json",
        ["payload"] = Rebase(MessageSchemas.Of(message.Type), $"#/components/messages/{message.Key}/payload"),
        ["examples"] = new JsonArray(new JsonObject { ["name"] = message.Title, ["payload"] = MessageSchemas.Example(message) }),
        ["x-urn"] = $"urn:message:{message.Urn}",
        ["x-owner"] = message.Owner,
        ["x-eventcatalog-message-type"] = message.Kind == MessageKind.Event ? "event" : "command",
    };

    public static JsonObject Channel(string address, string description, IEnumerable<MessageContract> messages, JsonObject binding)
    {
        var references = new JsonObject();
        foreach (var message in messages)
        {
            references[message.Key] = new JsonObject { ["$ref"] = $"#/components/messages/{message.Key}" };
        }

        return new JsonObject
        {
            ["address"] = address,
            ["description"] = description,
            ["messages"] = references,
            ["bindings"] = new JsonObject { ["amqp"] = binding },
        };
    }

    public static JsonObject Operation(string action, string service, string channel, IEnumerable<MessageContract> messages, string summary) => new()
    {
        ["action"] = action,
        ["channel"] = new JsonObject { ["$ref"] = $"#/channels/{channel}" },
        ["summary"] = summary,
        ["messages"] = new JsonArray([.. messages.Select(m => new JsonObject { ["$ref"] = $"#/channels/{channel}/messages/{m.Key}" })]),
        ["x-service"] = service,
    };

    public static JsonObject Exchange(string name) => new()
    {
        ["is"] = "routingKey",
        ["exchange"] = new JsonObject { ["name"] = name, ["type"] = "fanout", ["durable"] = true, ["autoDelete"] = false, ["vhost"] = "/" },
        ["bindingVersion"] = BindingVersion,
    };

    public static JsonObject Queue(string name) => new()
    {
        ["is"] = "queue",
        ["queue"] = new JsonObject { ["name"] = name, ["durable"] = true, ["exclusive"] = false, ["autoDelete"] = false, ["vhost"] = "/" },
        ["bindingVersion"] = BindingVersion,
    };

    public static JsonObject Retry(RetryPolicy retry) => new()
    {
        ["maxAttempts"] = retry.MaxAttempts,
        ["minBackoff"] = XmlConvert.ToString(retry.MinBackoff),
        ["maxBackoff"] = XmlConvert.ToString(retry.MaxBackoff),
        ["maxEventAge"] = XmlConvert.ToString(retry.MaxEventAge),
    };

    public static JsonObject Arguments(QueueSubscription queue)
    {
        var arguments = new JsonObject();
        foreach (var (name, value) in QueueTopology.WorkQueueArguments)
        {
            arguments[name] = JsonSerializer.SerializeToNode(value);
        }

        arguments["x-dead-letter-exchange"] = queue.DeadLetterQueue;
        return arguments;
    }

    // The exporter writes a reference to a type that contains itself as a pointer from the schema's root ("#/...");
    // inside the document the same pointer must start at the schema's own place.
    private static JsonNode Rebase(JsonNode schema, string place)
    {
        foreach (var node in Descendants(schema).OfType<JsonObject>().ToList())
        {
            if (node["$ref"] is JsonValue reference && reference.GetValue<string>() is ['#', .. var pointer])
            {
                node["$ref"] = place + pointer;
            }
        }

        return schema;
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node) => node switch
    {
        JsonObject obj => [obj, .. obj.Select(p => p.Value).OfType<JsonNode>().SelectMany(Descendants)],
        JsonArray array => [array, .. array.OfType<JsonNode>().SelectMany(Descendants)],
        _ => [node],
    };
}
