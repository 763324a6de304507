namespace EcommerceEda.Messaging.Streams;

/// <summary>The service's event-stream readers, by name, for operations (offsets, replay).</summary>
public sealed class StreamReaders(IEnumerable<EventStreamReader> readers)
{
    private readonly Dictionary<string, EventStreamReader> _byName = readers.ToDictionary(r => r.Name, StringComparer.Ordinal);

    /// <summary>All readers.</summary>
    public IReadOnlyCollection<EventStreamReader> All => _byName.Values;

    /// <summary>The reader named <paramref name="name"/>, if any.</summary>
    public EventStreamReader? Find(string name) => _byName.GetValueOrDefault(name);
}
