using System.Runtime.Serialization;
using EcommerceEda.Messaging.Subscriptions;
using MassTransit;

namespace EcommerceEda.Messaging.Topology;

/// <summary>
/// Writes why a message is dead-lettered into the headers it carries to <c>{queue}_error</c>, next to
/// MassTransit's own <c>MT-Fault-*</c> (exception type, message, stack trace, time):
/// <see cref="Reason"/> (<c>expired</c>, <c>malformed</c> or <c>failed</c>), <see cref="Attempts"/>,
/// <see cref="FirstFailure"/> and <see cref="LastFailure"/>.
/// </summary>
public sealed class DeadLetterHeadersFilter(string queue, MessagingMetrics metrics) : IFilter<ExceptionReceiveContext>
{
    /// <summary>
    /// <c>expired</c> (past MaxEventAge), <c>malformed</c> (not its contract's shape, or not readable at all) or
    /// <c>failed</c> (out of attempts).
    /// </summary>
    public const string Reason = "x-dead-letter-reason";

    /// <summary>How many attempts were made.</summary>
    public const string Attempts = "x-attempts";

    /// <summary>When the first attempt failed (ISO 8601).</summary>
    public const string FirstFailure = "x-first-failure-at";

    /// <summary>When the last attempt failed (ISO 8601).</summary>
    public const string LastFailure = "x-last-failure-at";

    /// <inheritdoc />
    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        var headers = context.ExceptionHeaders;
        var reason = context.Exception switch
        {
            MessageExpiredException => "expired",
            MalformedMessageException or SerializationException => "malformed", // the latter: MassTransit could not read the body
            _ => "failed",
        };
        headers.Set(Reason, reason);
        metrics.DeadLettered(queue, reason);
        if (context.TryGetPayload(out FailureHistory? history) && history.First is { } first)
        {
            headers.Set(Attempts, history.Attempts);
            headers.Set(FirstFailure, first.ToString("O"));
            headers.Set(LastFailure, history.Last?.ToString("O"));
        }

        return next.Send(context);
    }

    /// <inheritdoc />
    public void Probe(ProbeContext context) => context.CreateFilterScope("dead-letter-headers");
}
