using Dapper;
using EcommerceEda.Messaging.Faults;
using EcommerceEda.Messaging.Outbox;
using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;

namespace EcommerceEda.Messaging.Inbox;

/// <summary>
/// Runs every consumer inside one PostgreSQL transaction that first records <c>(consumer, message id)</c>
/// in the inbox. A message seen before inserts nothing and is acknowledged without running the consumer;
/// otherwise the consumer's writes, the inbox row and the messages it publishes commit together. A crash
/// between the commit and the broker's ack redelivers the message, and the inbox drops it.
/// The consumer is the receive endpoint: every consumer has a queue of its own.
/// </summary>
internal sealed partial class InboxFilter<T>(
    TransactionalOutbox outbox,
    MessagingMetrics metrics,
    FaultInjection faults,
    ILogger<InboxFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    private const string InsertSql = """
        INSERT INTO inbox_messages (consumer, message_id) VALUES (@Consumer, @MessageId)
        ON CONFLICT DO NOTHING
        """;

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var consumer = context.ReceiveContext.InputAddress.GetEndpointName()
            ?? throw new InvalidOperationException($"{context.ReceiveContext.InputAddress} names no endpoint.");
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"A {typeof(T).Name} without a message id cannot be deduplicated.");

        await using var tx = await outbox.BeginTransactionAsync(context.CancellationToken);
        var inserted = await tx.Connection.ExecuteAsync(new CommandDefinition(
            InsertSql, new { Consumer = consumer, MessageId = messageId }, tx.Transaction,
            cancellationToken: context.CancellationToken));
        if (inserted == 0)
        {
            metrics.DuplicateDropped(consumer);
            LogDuplicate(consumer, typeof(T).Name, messageId);
            await context.NotifyConsumed(context.ReceiveContext.ElapsedTime, "inbox"); // handled: else it moves to {consumer}_skipped
            return;
        }

        context.AddOrUpdatePayload(() => tx, _ => tx);
        await next.Send(context);
        await tx.CommitAsync(context.CancellationToken);
        faults.CrashIfArmed(CrashPoint.ConsumerAfterCommit);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("inbox");

    [LoggerMessage(LogLevel.Information, "{Consumer} already processed {MessageType} {MessageId}; acknowledged without processing")]
    private partial void LogDuplicate(string consumer, string messageType, Guid messageId);
}
