using EcommerceEda.Messaging.Faults;
using EcommerceEda.Messaging.Outbox;
using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;

namespace EcommerceEda.Messaging.Inbox;

/// <summary>
/// Runs every consumer inside one PostgreSQL transaction that first records <c>(consumer, message id)</c>
/// in the inbox, in the round trip of the consumer's first statement (one round trip fewer per message). The
/// inbox's primary key refuses a message seen before: that statement throws before the consumer acts on what
/// it read, the transaction rolls back and the message is acknowledged. Otherwise the consumer's writes, the
/// inbox row and the messages it publishes commit together. A crash between the commit and the broker's ack
/// redelivers the message, and the inbox drops it. The refusal reaches this filter as an exception through the
/// consumer, so MassTransit's consume metrics and span record a refused copy as a fault; the inbox's duplicate counter
/// says what it was. The consumer is the receive endpoint: every consumer has a queue of its own.
/// </summary>
internal sealed partial class InboxFilter<T>(
    TransactionalOutbox outbox,
    MessagingMetrics metrics,
    FaultInjection faults,
    ILogger<InboxFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var consumer = context.ReceiveContext.InputAddress.GetEndpointName()
            ?? throw new InvalidOperationException($"{context.ReceiveContext.InputAddress} names no endpoint.");
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"A {typeof(T).Name} without a message id cannot be deduplicated.");

        await using var tx = await outbox.BeginTransactionAsync(context.CancellationToken);
        tx.Receive(consumer, messageId);
        context.AddOrUpdatePayload(() => tx, _ => tx);
        try
        {
            await next.Send(context);
            await tx.CommitAsync(context.CancellationToken);
        }
        catch (DuplicateMessageException)
        {
            metrics.DuplicateDropped(consumer);
            LogDuplicate(consumer, typeof(T).Name, messageId);
            await context.NotifyConsumed(context.ReceiveContext.ElapsedTime, "inbox"); // handled: else it moves to {consumer}_skipped
            return;
        }

        faults.CrashIfArmed(CrashPoint.ConsumerAfterCommit);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("inbox");

    [LoggerMessage(LogLevel.Information, "{Consumer} already processed {MessageType} {MessageId}; acknowledged without processing")]
    private partial void LogDuplicate(string consumer, string messageType, Guid messageId);
}
