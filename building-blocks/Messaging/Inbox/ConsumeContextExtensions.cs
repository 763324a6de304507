using EcommerceEda.Messaging.Outbox;
using MassTransit;

namespace EcommerceEda.Messaging.Inbox;

/// <summary>Access to the unit of work the inbox opened for the message being consumed.</summary>
public static class ConsumeContextExtensions
{
    /// <summary>
    /// The transaction the inbox opened for this message: run every statement through it (its first one carries the
    /// message's inbox row) and publish through it; the inbox commits it when the consumer returns.
    /// </summary>
    public static OutboxTransaction Transaction(this ConsumeContext context) =>
        context.TryGetPayload(out OutboxTransaction? tx)
            ? tx
            : throw new InvalidOperationException("No inbox transaction: consumers must run on endpoints configured by AddMessaging.");
}
