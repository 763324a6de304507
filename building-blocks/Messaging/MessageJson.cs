using System.Text.Json;
using MassTransit.Serialization;

namespace EcommerceEda.Messaging;

/// <summary>
/// The JSON shape of messages everywhere they are stored: the same options MassTransit uses on the
/// wire (camelCase), so an outbox row reads exactly like the message a subscriber receives.
/// </summary>
public static class MessageJson
{
    /// <summary>MassTransit's serializer options.</summary>
    public static JsonSerializerOptions Options => SystemTextJsonMessageSerializer.Options;
}
