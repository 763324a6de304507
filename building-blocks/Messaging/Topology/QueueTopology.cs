using EcommerceEda.Messaging.Subscriptions;
using MassTransit;
using MassTransit.Middleware;

namespace EcommerceEda.Messaging.Topology;

/// <summary>
/// The shape of every receive endpoint: a quorum queue whose dead-letter exchange is its own
/// <c>{queue}_error</c>, where MassTransit also moves what fails its retries. So a message ends in the same
/// dead-letter queue whether it failed in the consumer (moved by MassTransit, with fault headers) or
/// crashed the process too often to be moved (dead-lettered by RabbitMQ past <c>x-delivery-limit</c>).
/// </summary>
public static class QueueTopology
{
    /// <summary>Returns to the queue (a crash, a lost channel) before RabbitMQ dead-letters the message itself.</summary>
    public const int DeliveryLimit = 5;

    /// <summary>
    /// The arguments of every work queue besides its dead-letter exchange (<c>{queue}_error</c>): quorum, a delivery
    /// limit (3.10 has no default), and at-least-once dead-lettering, which needs <c>reject-publish</c>
    /// (https://www.rabbitmq.com/docs/quorum-queues#dead-lettering).
    /// </summary>
    public static IReadOnlyDictionary<string, object> WorkQueueArguments { get; } = new Dictionary<string, object>
    {
        ["x-queue-type"] = "quorum",
        ["x-delivery-limit"] = DeliveryLimit,
        ["x-dead-letter-strategy"] = "at-least-once",
        ["x-overflow"] = "reject-publish",
    };

    /// <summary>The dead-letter queue of <paramref name="queue"/>; MassTransit's error queue.</summary>
    public static string DeadLetterQueue(string queue) => $"{queue}_error";

    // Arguments of a work queue that its dead-letter queue must not have: it would dead-letter into itself,
    // and peeking at it (which returns messages) would count against a delivery limit.
    private static readonly string[] WorkQueueOnly =
        ["x-dead-letter-exchange", .. WorkQueueArguments.Keys.Where(argument => argument != "x-queue-type")];

    internal static void Configure(IReceiveEndpointConfigurator endpoint, string queue, RetryPolicy retry, MessagingMetrics metrics)
    {
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbitMq)
        {
            rabbitMq.SetQuorumQueue();
            foreach (var (argument, value) in WorkQueueArguments)
            {
                rabbitMq.SetQueueArgument(argument, value);
            }

            rabbitMq.BindDeadLetterQueue(DeadLetterQueue(queue), DeadLetterQueue(queue), DeadLetterQueueArguments);
        }

        // A failure is kept in the dead-letter queue with its fault headers. No Fault<T> or ReceiveFault event is
        // published besides: nothing subscribes to them, and a service may publish only the events it owns.
        endpoint.PublishFaults = false;
        endpoint.UseMessageRetry(r =>
        {
            r.Ignore<MessageExpiredException>();
            r.Ignore<MalformedMessageException>();
            r.Exponential(retry.MaxAttempts - 1, retry.MinBackoff, retry.MaxBackoff, retry.MinBackoff);
        });
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new DeadLetterHeadersFilter(queue, metrics));
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
        });
    }

    /// <summary>MassTransit declares <c>{queue}_error</c> with the work queue's arguments: keep only the quorum type.</summary>
    internal static void DeadLetterQueueArguments(IRabbitMqQueueConfigurator queue)
    {
        queue.SetQuorumQueue();
        foreach (var argument in WorkQueueOnly)
        {
            queue.SetQueueArgument(argument, null);
        }
    }
}
