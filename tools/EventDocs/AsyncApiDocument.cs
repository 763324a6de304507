using System.Text.Json.Nodes;
using EcommerceEda.Messaging.Streams;
using static EcommerceEda.EventDocs.AsyncApiParts;

namespace EcommerceEda.EventDocs;

/// <summary>
/// The AsyncAPI 3.0 document of the whole system. Channels are the broker's entities: an exchange per message
/// (named by its URN, fanout, where events are published and commands are sent), a quorum queue per
/// subscription (with its dead-letter queue, retry policy and pattern as <c>x-</c> extensions), and the events
/// stream. Operations are per service: it sends to a message's exchange, it receives from its own queue.
/// </summary>
public static class AsyncApiDocument
{
    /// <summary>The document of <paramref name="system"/>.</summary>
    public static JsonObject Create(SystemModel system)
    {
        var channels = new JsonObject();
        var operations = new JsonObject();
        var messages = new JsonObject();

        foreach (var message in system.Messages)
        {
            var exchange = system.Exchange(message);
            var producers = string.Join(", ", system.Producers(message).Select(s => s.Name));
            messages[message.Key] = Message(message);
            channels[message.Key] = Channel(
                exchange,
                exchange == message.Urn
                    ? $"The exchange of {message.Title}, where {producers} publishes it for any subscriber."
                    : $"The exchange of {message.Owner}'s queue for {message.Title}, where {producers} sends it.",
                [message],
                Exchange(exchange));
        }

        foreach (var service in system.Services)
        {
            foreach (var message in service.Publishes)
            {
                operations[$"{service.Name}.sends.{message.Key}"] = Operation("send", service.Name, message.Key, [message], $"{service.Name} publishes {message.Title}");
            }

            foreach (var (message, exchange) in service.Sends)
            {
                operations[$"{service.Name}.sends.{message.Key}"] = Operation("send", service.Name, message.Key, [message], $"{service.Name} sends {message.Title} to {exchange}");
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
                    ["host"] = "localhost:{port}",
                    ["protocol"] = "amqp",
                    ["protocolVersion"] = "0.9.1",
                    ["description"] = "RabbitMQ as the AppHost starts it: its dashboard shows the port.",
                    ["variables"] = new JsonObject { ["port"] = new JsonObject { ["default"] = "5672" } },
                },
            },
            ["channels"] = channels,
            ["operations"] = operations,
            ["components"] = new JsonObject { ["messages"] = messages },
        };
    }

    private static IReadOnlyList<MessageContract> Events(SystemModel system) => [.. system.Messages.Where(m => m.Kind == MessageKind.Event)];
}
