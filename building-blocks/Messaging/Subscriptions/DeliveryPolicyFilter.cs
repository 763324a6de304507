using MassTransit;
using MassTransit.Transports;

namespace EcommerceEda.Messaging.Subscriptions;

/// <summary>
/// Applies a subscription's delivery policy on every attempt, inside the retry: an event past its
/// <see cref="RetryPolicy.MaxEventAge"/> fails as expired (and is not retried), and every failure is
/// recorded so the dead-letter queue can say how many attempts were made and when.
/// </summary>
internal sealed class DeliveryPolicyFilter<T>(SubscriptionRegistry subscriptions, TimeProvider clock) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var history = context.ReceiveContext.GetOrAddPayload(() => new FailureHistory());
        try
        {
            var queue = context.ReceiveContext.InputAddress.GetEndpointName();
            if (queue is not null && subscriptions.Find(queue) is { } subscription)
            {
                var occurred = context.Message is IEvent @event ? @event.Metadata.OccurredAt : context.SentTime ?? clock.GetUtcNow().UtcDateTime;
                var age = clock.GetUtcNow() - occurred;
                if (age > subscription.Retry.MaxEventAge)
                {
                    throw new MessageExpiredException(age, subscription.Retry.MaxEventAge);
                }
            }

            await next.Send(context);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            history.Record(clock.GetUtcNow());
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("delivery-policy");
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
