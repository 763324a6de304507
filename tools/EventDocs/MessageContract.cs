using EcommerceEda.Messaging;
using MassTransit;

namespace EcommerceEda.EventDocs;

/// <summary>An event is a fact any service may subscribe to; a command is sent to its one owner.</summary>
public enum MessageKind
{
    Event,
    Command,
}

/// <summary>A message on the wire, as its contract declares it.</summary>
/// <param name="Type">The contract.</param>
/// <param name="Owner">The service that owns it: the first part of its URN.</param>
/// <param name="Name">Its name in the URN (<c>order-placed</c>).</param>
/// <param name="Version">Its schema version: a breaking change is a new version.</param>
/// <param name="Kind">Event or command.</param>
/// <param name="IsPublic">Declared in a <c>*.Contracts</c> project for other services; otherwise private to its owner (a timer, a request to itself).</param>
public sealed record MessageContract(Type Type, string Owner, string Name, int Version, MessageKind Kind, bool IsPublic)
{
    /// <summary>Its stable identity on the wire (<c>orders:order-placed:v1</c>), which also names its exchange.</summary>
    public string Urn => $"{Owner}:{Name}:v{Version}";

    /// <summary>A key for file names and document components: <c>orders.order-placed.v1</c>.</summary>
    public string Key => $"{Owner}.{Name}.v{Version}";

    /// <summary>Its name in code.</summary>
    public string Title => Type.Name;

    /// <summary>Reads a contract from its <c>[MessageUrn("owner:name:vN")]</c>.</summary>
    public static MessageContract Of(Type type)
    {
        var urn = MessageUrn.ForTypeString(type)[MessageUrn.Prefix.Length..];
        if (urn.Split(':') is not [var owner, var name, ['v', .. var version]] || !int.TryParse(version, out var number))
        {
            throw new InvalidOperationException($"{type.Name}: a message's URN is 'owner:name:vN', not '{urn}'.");
        }

        var kind = typeof(IEvent).IsAssignableFrom(type) ? MessageKind.Event : MessageKind.Command;
        return new MessageContract(type, owner, name, number, kind, type.Assembly.GetName().Name!.EndsWith(".Contracts", StringComparison.Ordinal));
    }
}
