using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Subscriptions;
using EcommerceEda.Messaging.Topology;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

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

/// <summary>One transition of a saga: in <paramref name="From"/>, <paramref name="Event"/> moves it to <paramref name="To"/>.</summary>
public sealed record SagaTransition(string From, string Event, string To);

/// <summary>A saga a service runs: its state machine as a list of transitions.</summary>
public sealed record SagaModel(Type StateMachine, string Queue, IReadOnlyList<SagaTransition> Transitions);

/// <summary>What one service declares about messaging.</summary>
public sealed record ServiceModel(
    string Name,
    IReadOnlyList<MessageContract> Publishes,
    IReadOnlyList<MessageContract> Sends,
    IReadOnlyList<QueueSubscription> Queues,
    IReadOnlyList<StreamSubscription> Streams,
    IReadOnlyList<SagaModel> Sagas)
{
    /// <summary>Every message the service sends out.</summary>
    public IEnumerable<MessageContract> Outgoing => Publishes.Concat(Sends);

    /// <summary>The subscriptions that receive <paramref name="message"/>.</summary>
    public IEnumerable<QueueSubscription> Receiving(MessageContract message) => Queues.Where(queue => queue.Messages.Contains(message));
}

/// <summary>
/// The whole system's messaging, read from the services' own registration code: each service is registered
/// on an empty host as its <c>Program</c> does (nothing connects or starts), and what its
/// <see cref="MessagingBuilder"/> declared (publishes, sends, consumes, sagas, stream readers) is read back.
/// </summary>
public sealed record SystemModel(IReadOnlyList<ServiceModel> Services)
{
    /// <summary>The services, each with the registration its <c>Program</c> calls.</summary>
    public static readonly IReadOnlyList<(string Name, Action<IHostApplicationBuilder> Register)> Registrations =
    [
        ("orders", Orders.Extensions.AddOrders),
        ("warehouse", Warehouse.Extensions.AddWarehouse),
        ("delivery", Delivery.Extensions.AddDelivery),
        ("support", Support.Extensions.AddSupport),
    ];

    /// <summary>Every message any service sends, by owner, then name, then version.</summary>
    public IReadOnlyList<MessageContract> Messages { get; } =
        [.. Services.SelectMany(service => service.Outgoing).Distinct().OrderBy(m => m.Owner, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Version)];

    /// <summary>The services that send <paramref name="message"/> out.</summary>
    public IEnumerable<ServiceModel> Producers(MessageContract message) => Services.Where(service => service.Outgoing.Contains(message));

    /// <summary>The queue subscriptions that receive <paramref name="message"/>, with their service.</summary>
    public IEnumerable<(ServiceModel Service, QueueSubscription Queue)> Consumers(MessageContract message) =>
        Services.SelectMany(service => service.Receiving(message).Select(queue => (service, queue)));

    /// <summary>The readers of the event stream, which see every event.</summary>
    public IEnumerable<(ServiceModel Service, StreamSubscription Reader)> StreamReaders =>
        Services.SelectMany(service => service.Streams.Select(reader => (service, reader)));

    /// <summary>Reads every service's declarations.</summary>
    public static SystemModel Read() => new([.. Registrations.Select(r => ReadService(r.Name, r.Register))]);

    private static ServiceModel ReadService(string name, Action<IHostApplicationBuilder> register)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{MessagingExtensions.BrokerConnectionName}"] = "amqp://localhost",
            [$"ConnectionStrings:{name}-db"] = "Host=localhost",
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        register(builder);

        var outgoing = Declared<OutgoingMessages>(builder.Services).All;
        var subscriptions = Declared<SubscriptionRegistry>(builder.Services);
        var queues = subscriptions.All.Select(s => new QueueSubscription(
            s.Queue, s.ConsumerType, [.. ConsumedTypes(s.ConsumerType).Select(MessageContract.Of)], s.Retry, Compact(s.Pattern?.Json))).OrderBy(q => q.Queue, StringComparer.Ordinal).ToList();
        using var services = builder.Services.BuildServiceProvider();
        var sagas = queues.Where(q => IsStateMachine(q.Handler)).Select(q => SagaGraph.Read(services, q.Handler, q.Queue)).ToList();
        return new ServiceModel(
            name,
            [.. outgoing.Where(m => m.Destination is null).Select(m => MessageContract.Of(m.Type))],
            [.. outgoing.Where(m => m.Destination is not null).Select(m => MessageContract.Of(m.Type))],
            queues,
            subscriptions.Streams,
            sagas);
    }

    private static string? Compact(string? json) =>
        json is null ? null : JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static T Declared<T>(IServiceCollection services) =>
        services.Select(descriptor => descriptor.ImplementationInstance).OfType<T>().SingleOrDefault()
        ?? throw new InvalidOperationException($"The service registered no {typeof(T).Name}: does it call AddMessaging?");

    // A consumer's IConsumer<T>; a state machine's Event<T> properties.
    private static IEnumerable<Type> ConsumedTypes(Type handler) => IsStateMachine(handler)
        ? handler.GetProperties().Select(p => p.PropertyType).Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Event<>)).Select(t => t.GetGenericArguments()[0])
        : handler.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>)).Select(i => i.GetGenericArguments()[0]);

    private static bool IsStateMachine(Type handler) => typeof(StateMachine).IsAssignableFrom(handler);
}
