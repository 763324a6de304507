using MassTransit;

namespace EcommerceEda.Messaging;

/// <summary>
/// The envelope every integration event carries, after EventBridge's <c>detail.metadata</c>:
/// enough for any subscriber to deduplicate, order and trace an event without knowing its data.
/// </summary>
/// <param name="EventId">Unique id of this event; also its message id on the wire and its outbox row id.</param>
/// <param name="IdempotencyKey">Business key of the fact (<c>orders/{orderId}/placed</c>): the same fact always has the same key.</param>
/// <param name="Source">The service that owns the event (<c>orders</c>, <c>warehouse</c>, ...).</param>
/// <param name="OccurredAt">When the fact happened, in the source's clock.</param>
/// <param name="SchemaVersion">Version of the event's schema; a breaking change is a new version.</param>
public sealed record EventMetadata(
    Guid EventId,
    string IdempotencyKey,
    string Source,
    DateTimeOffset OccurredAt,
    int SchemaVersion);

/// <summary>
/// An integration event: an immutable fact in the past tense, published to any subscriber. Every event
/// exchange is bound to the <c>events</c> exchange, where one subscription sees them all.
/// </summary>
[MessageUrn("events")]
public interface IEvent
{
    /// <summary>The event's envelope.</summary>
    EventMetadata Metadata { get; }
}
