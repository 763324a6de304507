using System.Globalization;
using System.Text;

namespace EcommerceEda.EventDocs;

/// <summary><c>docs/events.md</c>: the choreography, the saga, and per message its owner, consumers, schema and an example.</summary>
public static class EventsMarkdown
{
    /// <summary>The page for <paramref name="system"/>.</summary>
    public static string Create(SystemModel system)
    {
        var md = new StringBuilder();
        Line(md, "# Events and commands");
        Line(md);
        Line(md, $"Generated from the code by `{DocsGenerator.Command}`: do not edit. The same run writes the AsyncAPI 3.0 document");
        Line(md, "([asyncapi.json](asyncapi.json)) and a JSON Schema per message and version ([schemas/](schemas/)). A breaking");
        Line(md, "change to a published version is refused: see [Versioning](#versioning).");
        Line(md);
        Choreography(md, system);
        foreach (var service in system.Services)
        {
            foreach (var saga in service.Sagas)
            {
                Saga(md, service, saga);
            }
        }

        Catalog(md, system);
        Subscriptions(md, system);
        foreach (var message in system.Messages)
        {
            Message(md, system, message);
        }

        Versioning(md);
        return md.ToString();
    }

    private static void Choreography(StringBuilder md, SystemModel system)
    {
        Line(md, "## Who talks to whom");
        Line(md);
        Line(md, "Events (solid) go to every subscriber; commands (dashed) to their one owner. Every event also lands in the");
        Line(md, "`events` stream.");
        Line(md);
        md.Append(MermaidDiagrams.Choreography(system)).Append('\n');
    }

    private static void Saga(StringBuilder md, ServiceModel service, SagaModel saga)
    {
        Line(md, $"## The {saga.StateMachine.Name} saga ({Capitalized(service.Name)})");
        Line(md);
        Line(md, $"{XmlDocs.Summary(saga.StateMachine)} Queue `{saga.Queue}`.");
        Line(md);
        md.Append(MermaidDiagrams.Saga(saga)).Append('\n');
    }

    private static void Catalog(StringBuilder md, SystemModel system)
    {
        Line(md, "## Messages");
        Line(md);
        Line(md, "| message | kind | owner | version | consumers |");
        Line(md, "|---|---|---|---|---|");
        foreach (var message in system.Messages)
        {
            var consumers = system.Consumers(message).Select(c => $"{c.Service.Name} (`{c.Queue.Queue}`)")
                .Concat(message.Kind == MessageKind.Event ? system.StreamReaders.Select(r => $"{r.Service.Name} (stream)") : []);
            Line(md, $"| [{message.Title}](#{Anchor(message)}) | {Kind(message)} | {message.Owner} | {message.Version} | {string.Join(", ", consumers)} |");
        }

        Line(md);
    }

    private static void Subscriptions(StringBuilder md, SystemModel system)
    {
        Line(md, "## Subscriptions");
        Line(md);
        Line(md, "Every queue is a quorum queue with its own quorum dead-letter queue. A message that fails is retried in the");
        Line(md, "consumer with exponential backoff and jitter; past the attempts or the maximum event age it is dead-lettered with");
        Line(md, "the reason in its headers; a malformed one (a required field missing, an empty id, a body that is not JSON) at");
        Line(md, "once. Configuration may override a policy: `Messaging:Subscriptions:{queue}:Retry`.");
        Line(md);
        Line(md, "| queue | service | handler | messages | attempts | backoff | max event age | dead-letter queue | pattern |");
        Line(md, "|---|---|---|---|---|---|---|---|---|");
        foreach (var service in system.Services)
        {
            foreach (var queue in service.Queues)
            {
                Line(md, $"| `{queue.Queue}` | {service.Name} | {queue.Handler.Name} | {string.Join(", ", queue.Messages.Select(m => m.Title))} | " +
                    $"{queue.Retry.MaxAttempts} | {Duration(queue.Retry.MinBackoff)}–{Duration(queue.Retry.MaxBackoff)} | {Duration(queue.Retry.MaxEventAge)} | " +
                    $"`{queue.DeadLetterQueue}` | {(queue.Pattern is { } pattern ? $"`{pattern}`" : "")} |");
            }
        }

        foreach (var (service, reader) in system.StreamReaders)
        {
            Line(md, $"| `events` (stream) | {service.Name} | {reader.HandlerType.Name} | every event, as `{reader.Reader}` | until applied | | | | |");
        }

        Line(md);
    }

    private static void Message(StringBuilder md, SystemModel system, MessageContract message)
    {
        Line(md, $"## {message.Title}");
        Line(md);
        Line(md, XmlDocs.Summary(message.Type));
        Line(md);
        Line(md, $"- **Kind**: {Kind(message)}{(message.IsPublic ? "" : $", private to {message.Owner}")}");
        Line(md, $"- **Owner**: {message.Owner}; **sent by**: {string.Join(", ", system.Producers(message).Select(s => s.Name))}");
        Line(md, $"- **Version**: {message.Version} (URN `urn:message:{message.Urn}`, {(system.Exchange(message) == message.Urn ? "published to" : "sent to")} exchange `{system.Exchange(message)}`)");
        Line(md, $"- **Schema**: [{DocsGenerator.SchemaFile(message.Urn)}]({DocsGenerator.SchemaFile(message.Urn)})");
        foreach (var (service, queue) in system.Consumers(message))
        {
            Line(md, $"- **Consumed by** {service.Name}: {queue.Handler.Name} on `{queue.Queue}` (dead letters: `{queue.DeadLetterQueue}`{(queue.Pattern is null ? "" : ", filtered by a pattern")})");
        }

        if (message.Kind == MessageKind.Event)
        {
            foreach (var (service, reader) in system.StreamReaders)
            {
                Line(md, $"- **Read from the stream** by {service.Name} ({reader.HandlerType.Name})");
            }
        }

        Line(md);
        Line(md, "```json");
        md.Append(MessageSchemas.Format(MessageSchemas.Example(message)));
        Line(md, "```");
        Line(md);
    }

    private static void Versioning(StringBuilder md)
    {
        Line(md, "## Versioning");
        Line(md);
        Line(md, "The schema files are the published versions, and so is every version of them in git's history. Adding an");
        Line(md, "optional field (a constructor parameter with a default) or an enum value is compatible: the generator updates the");
        Line(md, "file. Removing or renaming a field, changing its type or format, making a field required or optional, adding a");
        Line(md, "required field, removing an enum value or restricting a field to an enum is breaking: the generator refuses it,");
        Line(md, "writing nothing, and the tests fail, naming the field. A breaking change is a new version: a new contract with the");
        Line(md, "next version in its URN (`orders:order-placed:v2`, its own exchange) beside the old one; the producer publishes both");
        Line(md, "and consumers of v1 keep working until each has moved to v2. Then the v1 contract is removed and its schema retired");
        Line(md, $"(`{DocsGenerator.Command} --retire orders:order-placed:v1`): the generator refuses to drop a published version otherwise.");
        Line(md, "Private messages (a saga's timer, its own requests) are versioned the same way: they wait in outboxes and queues");
        Line(md, "across deployments too.");
    }

    private static string Kind(MessageContract message) => message.Kind == MessageKind.Event ? "event" : "command";

    private static string Anchor(MessageContract message) => message.Title.ToLowerInvariant();

    private static string Duration(TimeSpan duration) => duration switch
    {
        { TotalHours: >= 1 } when duration.TotalHours % 1 == 0 => $"{duration.TotalHours:0} h",
        { TotalSeconds: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###} s"),
        _ => $"{duration.TotalMilliseconds:0} ms",
    };

    internal static string Capitalized(string name) => string.Concat(name[..1].ToUpperInvariant(), name[1..]);

    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
