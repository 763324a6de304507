using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Faults;
using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Messaging.Operations;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Streams;
using EcommerceEda.Messaging.Subscriptions;
using EcommerceEda.Messaging.Topology;
using EcommerceEda.ServiceDefaults.OpenApi;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the messaging building block.</summary>
public static class MessagingExtensions
{
    /// <summary>The connection string name of the broker (an <c>amqp://</c> URI).</summary>
    public const string BrokerConnectionName = "rabbitmq";

    /// <summary>
    /// MassTransit on RabbitMQ with this service's conventions: quorum queues named after the service, each
    /// with a quorum dead-letter queue, exchanges named after message URNs, a retry policy per subscription,
    /// every consumer inside the inbox's transaction, and the outbox with its relay. Needs <see cref="ServiceDatabaseExtensions.AddServiceDatabase"/>.
    /// </summary>
    /// <param name="builder">The service's host builder.</param>
    /// <param name="serviceName">The service's name: the prefix of its queues and the source of its events.</param>
    /// <param name="configure">Declares what the service publishes and consumes.</param>
    public static IHostApplicationBuilder AddMessaging(
        this IHostApplicationBuilder builder, string serviceName, Action<MessagingBuilder> configure)
    {
        var brokerUri = BrokerConnection.Uri(builder.Configuration);
        var brokerNodes = BrokerConnection.Nodes(builder.Configuration);

        builder.Services.AddSingleton<OutboxPublisher>();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddSingleton(services => new TransactionalOutbox(
            services.GetRequiredService<NpgsqlDataSource>(),
            services.GetRequiredService<OutgoingMessages>(),
            services.GetRequiredService<OutboxDispatcher>(),
            services.GetRequiredService<IOptions<OutboxRelayOptions>>(),
            services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(services => new EventSource(serviceName, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<EventStreamTopology>();
        builder.Services.AddSingleton<MessagingMetrics>();
        builder.Services.AddSingleton<FaultInjection>();
        builder.Services.AddOptions<FaultInjectionOptions>().BindConfiguration("Messaging:Faults");
        builder.Services.AddOptions<OutboxRelayOptions>().BindConfiguration("Messaging:Relay");
        builder.Services.AddOptions<InboxOptions>().BindConfiguration("Messaging:Inbox");
        builder.Services.AddOptions<MessagingHealthOptions>().BindConfiguration("Messaging:Health");
        builder.Services.AddApiExample(new RedriveRequest(["0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"]));
        builder.Services.AddApiExample(new DeliveryFaults(DuplicateRate: 0.1, DelayRate: 0.1));
        builder.Services.AddHealthChecks().AddCheck<MessagingHealthCheck>(MessagingHealthCheck.Name, failureStatus: HealthStatus.Degraded);
        builder.Services.AddSingleton<DeadLetterStore>();
        builder.Services.AddHttpClient<QueueStatistics>();
        builder.Services.AddMassTransit(bus =>
        {
            var names = new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false);
            bus.SetEndpointNameFormatter(names);
            var messaging = new MessagingBuilder(bus, names, builder.Configuration);
            configure(messaging);
            builder.Services.AddSingleton(messaging.Outgoing);
            builder.Services.AddSingleton(messaging.Subscriptions);
            AddStreamReaders(builder.Services, messaging.Subscriptions.Streams);
            bus.AddConfigureEndpointsCallback((context, queue, endpoint) => QueueTopology.Configure(
                endpoint,
                queue,
                messaging.Subscriptions.Find(queue)?.Retry ?? messaging.DefaultRetry(),
                context.GetRequiredService<MessagingMetrics>()));
            bus.UsingRabbitMq((context, rabbitMq) =>
            {
                rabbitMq.Host(brokerUri, host =>
                {
                    if (brokerNodes.Count > 1)
                    {
                        host.UseCluster(cluster =>
                        {
                            foreach (var node in brokerNodes)
                            {
                                cluster.Node(node);
                            }
                        });
                    }
                });
                rabbitMq.UseUrnEntityNames();
                rabbitMq.SendTopology.ConfigureErrorSettings = QueueTopology.DeadLetterQueueArguments;
                rabbitMq.SendTopology.ConfigureDeadLetterSettings = QueueTopology.DeadLetterQueueArguments;

                // Outermost first: the delivery policy sees every attempt, an unavailable database does not count as
                // one, the inbox runs each in a transaction.
                rabbitMq.UseConsumeFilter(typeof(DeliveryPolicyFilter<>), context);
                rabbitMq.UseConsumeFilter(typeof(TransientFailureFilter<>), context);
                rabbitMq.UseConsumeFilter(typeof(InboxFilter<>), context);
                rabbitMq.ConfigureEndpoints(context);
            });
        });

        // After the bus: hosted services start in order, and the relay publishes through it.
        builder.Services.AddHostedService(services => services.GetRequiredService<OutboxDispatcher>());
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddHostedService<MessagingCleanup>();
        builder.Services.AddHostedService<DeadLetterMonitor>();
        return builder;
    }

    private static void AddStreamReaders(IServiceCollection services, IReadOnlyList<StreamSubscription> readers)
    {
        services.AddSingleton(provider => new StreamReaders(readers.Select(reader => ActivatorUtilities.CreateInstance<EventStreamReader>(
            provider, reader.Reader, (IEventStreamHandler)ActivatorUtilities.GetServiceOrCreateInstance(provider, reader.HandlerType)))));
        foreach (var reader in readers)
        {
            services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<StreamReaders>().Find(reader.Reader)!);
        }
    }
}
