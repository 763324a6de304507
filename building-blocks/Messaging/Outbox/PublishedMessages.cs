using MassTransit;

namespace EcommerceEda.Messaging.Outbox;

/// <summary>
/// The messages a service declares it publishes, by their stable URN. The outbox refuses anything
/// undeclared, and the relay turns a stored URN back into the type to publish; the list is also what
/// the service's broker permissions and the event catalog are derived from.
/// </summary>
public sealed class PublishedMessages
{
    private readonly Dictionary<Type, string> _urnByType = [];
    private readonly Dictionary<string, Type> _typeByUrn = [];

    /// <summary>Every declared message type.</summary>
    public IReadOnlyCollection<Type> Types => _urnByType.Keys;

    internal void Add(Type messageType)
    {
        var urn = MessageUrn.ForTypeString(messageType);
        _urnByType[messageType] = urn;
        _typeByUrn[urn] = messageType;
    }

    internal string UrnOf(Type messageType) =>
        _urnByType.TryGetValue(messageType, out var urn)
            ? urn
            : throw new InvalidOperationException(
                $"{messageType.Name} is not declared as published by this service: add messaging.Publishes<{messageType.Name}>().");

    internal Type TypeOf(string urn) =>
        _typeByUrn.TryGetValue(urn, out var type)
            ? type
            : throw new InvalidOperationException($"No published message type has the URN '{urn}'.");
}
