using System.Text.Json;
using System.Text.Json.Nodes;

namespace EcommerceEda.Messaging.Patterns;

/// <summary>
/// An event as EventBridge would deliver it, for patterns to match against:
/// <c>{"id", "source", "detail-type", "time", "detail": {"metadata", "data"}}</c>, where <c>data</c> is the
/// event without its metadata. Numbers stay JSON numbers (MassTransit writes decimals as strings on the wire).
/// </summary>
public static class EventEnvelope
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The envelope of <paramref name="message"/>.</summary>
    public static JsonElement Of(object message)
    {
        var data = JsonSerializer.SerializeToNode(message, message.GetType(), Json)!.AsObject();
        var envelope = new JsonObject { ["detail-type"] = message.GetType().Name };
        if (message is IEvent @event)
        {
            data.Remove("metadata");
            envelope["id"] = @event.Metadata.EventId;
            envelope["source"] = @event.Metadata.Source;
            envelope["time"] = @event.Metadata.OccurredAt;
            envelope["detail"] = new JsonObject
            {
                ["metadata"] = JsonSerializer.SerializeToNode(@event.Metadata, Json),
                ["data"] = data,
            };
        }
        else
        {
            envelope["detail"] = new JsonObject { ["data"] = data };
        }

        return JsonSerializer.SerializeToElement(envelope, Json);
    }
}
