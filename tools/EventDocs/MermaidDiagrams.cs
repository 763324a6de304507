using System.Text;

namespace EcommerceEda.EventDocs;

/// <summary>Mermaid diagrams of the system: who sends what to whom, and each saga's states.</summary>
internal static class MermaidDiagrams
{
    /// <summary>A flowchart: events solid, commands dashed, the stream feeding its readers.</summary>
    public static string Choreography(SystemModel system) => Diagram("flowchart LR", ChoreographyLines(system));

    /// <summary>A state diagram of <paramref name="saga"/>'s transitions.</summary>
    public static string Saga(SagaModel saga) =>
        Diagram("stateDiagram-v2", saga.Transitions.Select(t => $"{State(t.From)} --> {State(t.To)}: {t.Message}"));

    private static IEnumerable<string> ChoreographyLines(SystemModel system)
    {
        foreach (var service in system.Services)
        {
            yield return $"{service.Name}[{EventsMarkdown.Capitalized(service.Name)}]";
        }

        yield return "stream[(events stream)]";
        foreach (var message in system.Messages)
        {
            var arrow = message.Kind == MessageKind.Event ? "-->" : "-.->";
            foreach (var producer in system.Producers(message))
            {
                foreach (var consumer in system.Consumers(message).Select(c => c.Service.Name).Distinct())
                {
                    yield return $"{producer.Name} {arrow}|{message.Title}| {consumer}";
                }
            }
        }

        foreach (var (service, reader) in system.StreamReaders)
        {
            yield return $"stream -->|every event: {reader.Reader}| {service.Name}";
        }
    }

    private static string Diagram(string kind, IEnumerable<string> lines)
    {
        var diagram = new StringBuilder("```mermaid\n").Append(kind).Append('\n');
        foreach (var line in lines)
        {
            diagram.Append("    ").Append(line).Append('\n');
        }

        return diagram.Append("```\n").ToString();
    }

    private static string State(string name) => name is "Initial" or "Final" ? "[*]" : name;
}
