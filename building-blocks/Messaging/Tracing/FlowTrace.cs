using System.Diagnostics;
using System.Text;

namespace EcommerceEda.Messaging.Tracing;

/// <summary>
/// One trace per flow: the spans of the building block, and the trace of work someone outside finishes later.
/// The outbox stores its writer's span with each row and the relay publishes under it; MassTransit carries the
/// context in its headers (<c>MT-Activity-Id</c>) to every consumer, the stream included; a consumer that hands work
/// to a person (a pick, a shipment) stores <see cref="Current"/> with it, and the person's callback resumes it.
/// </summary>
public static class FlowTrace
{
    /// <summary>The tag that names a span's message, as MassTransit's spans name it.</summary>
    public const string MessageIdTag = "messaging.message.id";

    private const string ActivityIdHeader = "MT-Activity-Id";

    /// <summary>The current span's W3C <c>traceparent</c>, to store with work that is finished later.</summary>
    public static string? Current => Activity.Current?.Id;

    /// <summary>
    /// Starts a span in the trace <paramref name="traceParent"/> names (stored when the work was handed out), linked to
    /// the current span (the callback's own request), and makes it current: what the callback then writes to the
    /// outbox continues the flow's trace. Null when nothing listens, or when no trace was stored (work of an earlier
    /// version).
    /// </summary>
    public static Activity? Resume(string? traceParent, string name)
    {
        if (!ActivityContext.TryParse(traceParent, null, out var flow))
        {
            return null;
        }

        ActivityLink[]? links = Activity.Current is { } caller ? [new ActivityLink(caller.Context)] : null;
        return MessagingMetrics.ActivitySource.StartActivity(name, ActivityKind.Internal, flow, links: links);
    }

    /// <summary>A span of the building block for one message, a child of <paramref name="parent"/> when it parses.</summary>
    internal static Activity? StartMessageSpan(string name, ActivityKind kind, string? parent, Guid messageId)
    {
        ActivityContext.TryParse(parent, null, out var context);
        var activity = MessagingMetrics.ActivitySource.StartActivity(name, kind, context);
        activity?.SetTag(MessageIdTag, messageId);
        return activity;
    }

    /// <summary>The <c>traceparent</c> MassTransit wrote into a message's headers, if any (AMQP strings arrive as bytes).</summary>
    internal static string? Parent(IDictionary<string, object?>? headers) =>
        headers?.TryGetValue(ActivityIdHeader, out var value) == true
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                string text => text,
                _ => null,
            }
            : null;
}
