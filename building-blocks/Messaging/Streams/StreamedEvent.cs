using System.Text.Json;
using MassTransit;

namespace EcommerceEda.Messaging.Streams;

/// <summary>An event read from the stream.</summary>
/// <param name="Offset">Its position in the stream.</param>
/// <param name="MessageId">Its message id (the event id).</param>
/// <param name="Urn">Its message type (<c>urn:message:orders:order-placed:v1</c>).</param>
/// <param name="Json">The event as published (camelCase), <c>metadata</c> included.</param>
public sealed record StreamedEvent(long Offset, Guid MessageId, string Urn, JsonElement Json)
{
    /// <summary>The event's name from its URN: <c>orders:order-placed:v1</c> is <c>OrderPlaced</c>.</summary>
    public string Name
    {
        get
        {
            var parts = Urn[MessageUrn.Prefix.Length..].Split(':');
            var name = parts.Length > 1 ? parts[1] : parts[0];
            return string.Concat(name.Split('-').Select(word => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..]));
        }
    }

    /// <summary>The event as <typeparamref name="T"/> when it is one, else null.</summary>
    public T? As<T>()
        where T : class =>
        Urn == MessageUrn.ForTypeString<T>() ? Json.Deserialize<T>(MessageJson.Options) : null;
}

/// <summary>What a stream reader does with each event, in a transaction that also stores the reader's offset.</summary>
public interface IEventStreamHandler
{
    /// <summary>
    /// Applies one event, in <paramref name="transaction"/> only: the transaction may apply the events delivered with it
    /// too, and when one of them fails it is rolled back and each is applied again in a transaction of its own. An
    /// event may be seen again after a replay: applying it twice must change nothing.
    /// </summary>
    Task HandleAsync(StreamedEvent streamedEvent, Outbox.OutboxTransaction transaction, CancellationToken cancellationToken);

    /// <summary>Forgets everything built from the stream, before a replay from its start rebuilds it.</summary>
    Task ResetAsync(Outbox.OutboxTransaction transaction, CancellationToken cancellationToken);
}
