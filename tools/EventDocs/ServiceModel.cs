using EcommerceEda.Messaging.Sagas;
using EcommerceEda.Messaging.Subscriptions;
using EcommerceEda.Messaging.Topology;

namespace EcommerceEda.EventDocs;

/// <summary>One queue of a service: what arrives on it and the policy it is delivered under.</summary>
/// <param name="Queue">The quorum queue.</param>
/// <param name="Handler">The consumer, or the saga's state machine.</param>
/// <param name="Messages">What the handler consumes from the queue.</param>
/// <param name="Retry">Attempts, backoff and maximum event age before a message is dead-lettered.</param>
/// <param name="Pattern">The content-based filter, if any.</param>
public sealed record QueueSubscription(string Queue, Type Handler, IReadOnlyList<MessageContract> Messages, RetryPolicy Retry, string? Pattern)
{
    /// <summary>Where a message that fails its retries ends.</summary>
    public string DeadLetterQueue => QueueTopology.DeadLetterQueue(Queue);
}

/// <summary>A saga a service runs: its state machine as a list of transitions.</summary>
public sealed record SagaModel(Type StateMachine, string Queue, IReadOnlyList<SagaTransition> Transitions);

/// <summary>A command a service sends, and the exchange it sends it to: its owner's, bound to the owner's queue.</summary>
public sealed record SentCommand(MessageContract Message, string Exchange);

/// <summary>What one service declares about messaging.</summary>
/// <param name="Name">The service.</param>
/// <param name="Publishes">What it publishes to the message's own exchange, for any subscriber.</param>
/// <param name="Sends">The commands it sends to their owner.</param>
/// <param name="Queues">Its queue subscriptions.</param>
/// <param name="Streams">Its readers of the event stream.</param>
/// <param name="Sagas">The sagas it runs.</param>
public sealed record ServiceModel(
    string Name,
    IReadOnlyList<MessageContract> Publishes,
    IReadOnlyList<SentCommand> Sends,
    IReadOnlyList<QueueSubscription> Queues,
    IReadOnlyList<StreamSubscription> Streams,
    IReadOnlyList<SagaModel> Sagas)
{
    /// <summary>Every message the service sends out.</summary>
    public IEnumerable<MessageContract> Outgoing => Publishes.Concat(Sends.Select(command => command.Message));

    /// <summary>The subscriptions that receive <paramref name="message"/>.</summary>
    public IEnumerable<QueueSubscription> Receiving(MessageContract message) => Queues.Where(queue => queue.Messages.Contains(message));
}
