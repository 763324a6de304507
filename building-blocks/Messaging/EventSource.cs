namespace EcommerceEda.Messaging;

/// <summary>Creates the <see cref="EventMetadata"/> of the events this service owns.</summary>
public sealed class EventSource(string service, TimeProvider clock)
{
    /// <summary>The service name: every event's <see cref="EventMetadata.Source"/>.</summary>
    public string Service => service;

    /// <summary>
    /// The envelope of a new event that happens now. <paramref name="idempotencyKey"/> names the fact
    /// (<c>orders/{orderId}/placed</c>): the same fact always gets the same key, whatever its event id.
    /// <paramref name="schemaVersion"/> is the version in the event's URN (<c>v2</c> → 2); the outbox refuses another.
    /// </summary>
    public EventMetadata Metadata(string idempotencyKey, int schemaVersion = 1)
    {
        var now = clock.GetUtcNow();
        return new EventMetadata(Guid.CreateVersion7(now), idempotencyKey, service, now, schemaVersion);
    }
}
