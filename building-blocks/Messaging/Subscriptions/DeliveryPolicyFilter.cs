using EcommerceEda.Messaging.Patterns;
using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;

namespace EcommerceEda.Messaging.Subscriptions;

/// <summary>
/// Applies a subscription's delivery policy on every attempt, inside the retry: a message its pattern does
/// not match is dropped before the consumer (and not retried), an event past its
/// <see cref="RetryPolicy.MaxEventAge"/> fails as expired and one without its contract's shape
/// (<see cref="MessageShape"/>) as malformed (neither is retried), and every failure is recorded so the
/// dead-letter queue can say how many attempts were made and when.
/// </summary>
internal sealed partial class DeliveryPolicyFilter<T>(
    SubscriptionRegistry subscriptions, MessagingMetrics metrics, TimeProvider clock, ILogger<DeliveryPolicyFilter<T>> logger)
    : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var history = context.ReceiveContext.GetOrAddPayload(() => new FailureHistory());
        var queue = context.ReceiveContext.InputAddress.GetEndpointName() ?? "";
        try
        {
            if (subscriptions.Find(queue) is { } subscription)
            {
                if (subscription.Pattern is { } pattern && !pattern.Matches(EventEnvelope.Of(context.Message)))
                {
                    metrics.Filtered(queue);
                    LogFiltered(queue, typeof(T).Name, context.MessageId);
                    await context.NotifyConsumed(context.ReceiveContext.ElapsedTime, "pattern-filter"); // else it moves to {queue}_skipped
                    return;
                }

                var occurred = context.Message is IEvent @event ? @event.Metadata.OccurredAt : context.SentTime ?? clock.GetUtcNow().UtcDateTime;
                var age = clock.GetUtcNow() - occurred;
                if (age > subscription.Retry.MaxEventAge)
                {
                    throw new MessageExpiredException(age, subscription.Retry.MaxEventAge);
                }
            }

            if (MessageShape.Problems(context.Message) is { Count: > 0 } problems)
            {
                throw new MalformedMessageException(typeof(T).Name, problems);
            }

            await next.Send(context);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            history.Record(clock.GetUtcNow());
            metrics.AttemptFailed(queue);
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("delivery-policy");

    [LoggerMessage(LogLevel.Debug, "{Queue} dropped {MessageType} {MessageId}: its pattern does not match")]
    private partial void LogFiltered(string queue, string messageType, Guid? messageId);
}

/// <summary>The failed attempts of one delivery, kept on the receive context across retries.</summary>
internal sealed class FailureHistory
{
    public int Attempts { get; private set; }

    public DateTimeOffset? First { get; private set; }

    public DateTimeOffset? Last { get; private set; }

    public void Record(DateTimeOffset at)
    {
        Attempts++;
        First ??= at;
        Last = at;
    }
}
