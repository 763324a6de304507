using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Sagas;
using EcommerceEda.Messaging.Subscriptions;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace EcommerceEda.EventDocs;

/// <summary>
/// The whole system's messaging, read from the services' own registration code: each service is registered
/// on an empty host as its <c>Program</c> does (nothing connects or starts), and what its
/// <see cref="MessagingBuilder"/> declared (publishes, sends, consumes, sagas, stream readers) is read back.
/// </summary>
public sealed record SystemModel(IReadOnlyList<ServiceModel> Services)
{
    // The services, each with the registration its Program calls.
    private static readonly IReadOnlyList<(string Name, Action<IHostApplicationBuilder> Register)> Registrations =
    [
        ("orders", Orders.Extensions.AddOrders),
        ("warehouse", Warehouse.Extensions.AddWarehouse),
        ("delivery", Delivery.Extensions.AddDelivery),
        ("support", Support.Extensions.AddSupport),
    ];

    /// <summary>Every message any service sends, by owner, then name, then version.</summary>
    public IReadOnlyList<MessageContract> Messages { get; } =
        [.. Services.SelectMany(service => service.Outgoing).Distinct().OrderBy(m => m.Owner, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Version)];

    /// <summary>The exchange <paramref name="message"/> goes to: its owner's for a command that is sent, else its own (its URN).</summary>
    public string Exchange(MessageContract message) =>
        Services.SelectMany(service => service.Sends).FirstOrDefault(command => command.Message == message)?.Exchange ?? message.Urn;

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
        var sagas = queues.Where(q => IsStateMachine(q.Handler)).Select(q => new SagaModel(q.Handler, q.Queue, SagaGraph.Read((StateMachine)ActivatorUtilities.CreateInstance(services, q.Handler))))
            .ToList();
        return new ServiceModel(
            name,
            [.. outgoing.Where(m => m.Destination is null).Select(m => MessageContract.Of(m.Type))],
            [.. outgoing.Where(m => m.Destination is not null).Select(m => new SentCommand(MessageContract.Of(m.Type), m.Destination!.AbsolutePath))],
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
