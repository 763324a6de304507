using EcommerceEda.Messaging.Patterns;

namespace EcommerceEda.Messaging.Subscriptions;

/// <summary>One consumer of a service with its queue and the policy it is delivered under.</summary>
public sealed class Subscription
{
    internal Subscription(Type consumerType, string queue, RetryPolicy retry)
    {
        ConsumerType = consumerType;
        Queue = queue;
        Retry = retry;
    }

    /// <summary>The MassTransit consumer.</summary>
    public Type ConsumerType { get; }

    /// <summary>Its quorum queue, <c>{service}-{message}</c>; its dead-letter queue is <c>{Queue}_error</c>.</summary>
    public string Queue { get; }

    /// <summary>How failures are retried before the message is dead-lettered.</summary>
    public RetryPolicy Retry { get; set; }

    /// <summary>
    /// Content-based filter: only messages whose <see cref="EventEnvelope"/> matches reach the consumer; the
    /// others are acknowledged and dropped, neither processed nor retried. Null lets everything through.
    /// </summary>
    public EventPattern? Pattern { get; set; }
}

/// <summary>A reader of the event stream: its name (the key of its stored offset) and the handler it applies every event with.</summary>
public sealed record StreamSubscription(string Reader, Type HandlerType);

/// <summary>Every subscription of the service: its queues, by name, and its readers of the event stream.</summary>
public sealed class SubscriptionRegistry
{
    private readonly Dictionary<string, Subscription> _byQueue = new(StringComparer.Ordinal);
    private readonly List<StreamSubscription> _streams = [];

    /// <summary>All subscriptions to queues.</summary>
    public IReadOnlyCollection<Subscription> All => _byQueue.Values;

    /// <summary>The readers of the event stream.</summary>
    public IReadOnlyList<StreamSubscription> Streams => _streams;

    /// <summary>The subscription that consumes from <paramref name="queue"/>, if any.</summary>
    public Subscription? Find(string queue) => _byQueue.GetValueOrDefault(queue);

    internal void Add(Subscription subscription) => _byQueue.Add(subscription.Queue, subscription);

    internal void Add(StreamSubscription stream) => _streams.Add(stream);
}
