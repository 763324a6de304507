using MassTransit;

namespace EcommerceEda.Messaging.Outbox;

/// <summary>One message type a service declares it sends out.</summary>
/// <param name="Type">The contract.</param>
/// <param name="Urn">Its stable identity on the wire.</param>
/// <param name="Destination">Null for an event (published to its exchange, for any subscriber); for a command,
/// the endpoint of its one owner, <c>exchange:{owner}-{name}</c> from its URN <c>{owner}:{name}:v{n}</c> (the exchange
/// MassTransit binds to the owner's queue of that name: sending to <c>queue:</c> would redeclare the quorum queue
/// without its arguments).</param>
public sealed record OutgoingMessage(Type Type, string Urn, Uri? Destination);

/// <summary>
/// The messages a service declares it publishes (events) and sends (commands), by their stable URN. The
/// outbox refuses anything undeclared, and the relay turns a stored URN back into the type to publish; the
/// list is also what the service's broker permissions and the event catalog are derived from.
/// </summary>
public sealed class OutgoingMessages
{
    private readonly Dictionary<Type, OutgoingMessage> _byType = [];
    private readonly Dictionary<string, OutgoingMessage> _byUrn = [];

    /// <summary>Every declared message.</summary>
    public IReadOnlyCollection<OutgoingMessage> All => _byType.Values;

    internal void Add(Type messageType, bool command)
    {
        var urn = MessageUrn.ForTypeString(messageType);
        var message = new OutgoingMessage(messageType, urn, command ? OwnerQueue(urn) : null);
        _byType[messageType] = message;
        _byUrn[urn] = message;
    }

    internal OutgoingMessage Of(Type messageType) =>
        _byType.TryGetValue(messageType, out var message)
            ? message
            : throw new InvalidOperationException(
                $"{messageType.Name} is not declared by this service: add messaging.Publishes<{messageType.Name}>() or Sends<{messageType.Name}>().");

    internal Type TypeOf(string urn) =>
        _byUrn.TryGetValue(urn, out var message)
            ? message.Type
            : throw new InvalidOperationException($"No declared message type has the URN '{urn}'.");

    // urn:message:warehouse:reserve-stock:v1 → exchange:warehouse-reserve-stock, bound to ReserveStockConsumer's queue in Warehouse.
    private static Uri OwnerQueue(string urn)
    {
        var parts = urn[MessageUrn.Prefix.Length..].Split(':');
        return parts.Length >= 2
            ? new Uri($"exchange:{parts[0]}-{parts[1]}")
            : throw new InvalidOperationException($"A command's URN names its owner and itself ('owner:name:v1'), not '{urn}'.");
    }
}
