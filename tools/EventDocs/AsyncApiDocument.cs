using System.Text.Json;
using System.Text.Json.Nodes;
using EcommerceEda.Messaging.Streams;
using EcommerceEda.Messaging.Subscriptions;
using EcommerceEda.Messaging.Topology;

namespace EcommerceEda.EventDocs;

/// <summary>
/// The AsyncAPI 3.0 document of the whole system. Channels are the broker's entities: an exchange per message
/// (named by its URN, fanout, where events are published and commands are sent), a quorum queue per
/// subscription (with its dead-letter queue, retry policy and pattern as <c>x-</c> extensions), and the events
/// stream. Operations are per service: it sends to a message's exchange, it receives from its own queue.
/// </summary>
public static class AsyncApiDocument
{
    private const string BindingVersion = "0.3.0";

    public static JsonObject Create(SystemModel system)
    {
        var channels = new JsonObject();
        var operations = new JsonObject();
        var messages = new JsonObject();

        foreach (var message in system.Messages)
        {
            messages[message.Key] = Message(message);
            channels[message.Key] = Channel(
                message.Urn,
                $"The exchange of {message.Title}: {(message.Kind == MessageKind.Event ? "published by" : "sent by")} {string.Join(", ", system.Producers(message).Select(s => s.Name))}.",
                [message],
                Exchange(message.Urn));
        }

        foreach (var service in system.Services)
        {
            foreach (var message in service.Outgoing)
            {
                operations[$"{service.Name}.sends.{message.Key}"] = Operation(
                    "send", service.Name, message.Key, [message], $"{service.Name} {(message.Kind == MessageKind.Event ? "publishes" : "sends")} {message.Title}");
            }

            foreach (var queue in service.Queues)
            {
                var channel = Channel(queue.Queue, $"{service.Name}'s queue for {queue.Handler.Name}.", queue.Messages, Queue(queue.Queue));
                channel["x-dead-letter-queue"] = queue.DeadLetterQueue;
                channel["x-retry"] = Retry(queue.Retry);
                channel["x-queue-arguments"] = Arguments(queue);
                if (queue.Pattern is { } pattern)
                {
                    channel["x-pattern"] = JsonNode.Parse(pattern);
                }

                channels[queue.Queue] = channel;
                operations[$"{service.Name}.receives.{queue.Queue}"] = Operation(
                    "receive", service.Name, queue.Queue, queue.Messages, $"{service.Name} consumes with {queue.Handler.Name}");
            }

            foreach (var reader in service.Streams)
            {
                operations[$"{service.Name}.reads.{reader.Reader}"] = Operation(
                    "receive", service.Name, EventStreamTopology.Name, Events(system), $"{service.Name} reads every event from the stream as '{reader.Reader}' ({reader.HandlerType.Name})");
            }
        }

        var stream = Channel(EventStreamTopology.Name, "The stream of every event (a RabbitMQ stream bound to the `events` exchange): readers keep their own offset and may replay it.", Events(system), Queue(EventStreamTopology.Name));
        stream["x-queue-arguments"] = new JsonObject { ["x-queue-type"] = "stream" };
        channels[EventStreamTopology.Name] = stream;

        return new JsonObject
        {
            ["asyncapi"] = "3.0.0",
            ["info"] = new JsonObject
            {
                ["title"] = "EcommerceEda",
                ["version"] = "1.0.0",
                ["description"] = "Orders, Warehouse, Delivery and Support cooperating through RabbitMQ. Generated from the code by tools/EventDocs: do not edit.",
            },
            ["defaultContentType"] = "application/json",
            ["servers"] = new JsonObject
            {
                ["local"] = new JsonObject
                {
                    ["host"] = "localhost:5672",
                    ["protocol"] = "amqp",
                    ["protocolVersion"] = "0.9.1",
                    ["description"] = "RabbitMQ as the AppHost starts it (its port is chosen at start).",
                },
            },
            ["channels"] = channels,
            ["operations"] = operations,
            ["components"] = new JsonObject { ["messages"] = messages },
        };
    }

    private static IReadOnlyList<MessageContract> Events(SystemModel system) => [.. system.Messages.Where(m => m.Kind == MessageKind.Event)];

    private static JsonObject Message(MessageContract message) => new()
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

    private static JsonObject Channel(string address, string description, IEnumerable<MessageContract> messages, JsonObject binding)
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

    private static JsonObject Operation(string action, string service, string channel, IEnumerable<MessageContract> messages, string summary) => new()
    {
        ["action"] = action,
        ["channel"] = new JsonObject { ["$ref"] = $"#/channels/{channel}" },
        ["summary"] = summary,
        ["messages"] = new JsonArray([.. messages.Select(m => new JsonObject { ["$ref"] = $"#/channels/{channel}/messages/{m.Key}" })]),
        ["x-service"] = service,
    };

    private static JsonObject Exchange(string name) => new()
    {
        ["is"] = "routingKey",
        ["exchange"] = new JsonObject { ["name"] = name, ["type"] = "fanout", ["durable"] = true, ["autoDelete"] = false, ["vhost"] = "/" },
        ["bindingVersion"] = BindingVersion,
    };

    private static JsonObject Queue(string name) => new()
    {
        ["is"] = "queue",
        ["queue"] = new JsonObject { ["name"] = name, ["durable"] = true, ["exclusive"] = false, ["autoDelete"] = false, ["vhost"] = "/" },
        ["bindingVersion"] = BindingVersion,
    };

    private static JsonObject Retry(RetryPolicy retry) => new()
    {
        ["maxAttempts"] = retry.MaxAttempts,
        ["minBackoff"] = retry.MinBackoff.ToString("c"),
        ["maxBackoff"] = retry.MaxBackoff.ToString("c"),
        ["maxEventAge"] = retry.MaxEventAge.ToString("c"),
    };

    private static JsonObject Arguments(QueueSubscription queue)
    {
        var arguments = new JsonObject();
        foreach (var (name, value) in QueueTopology.WorkQueueArguments)
        {
            arguments[name] = JsonSerializer.SerializeToNode(value);
        }

        arguments["x-dead-letter-exchange"] = queue.DeadLetterQueue;
        return arguments;
    }

    // The exporter points at a type's first use within the schema ("#/properties/lines/items"); inside the document
    // the same pointer must start at the schema's own place.
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
