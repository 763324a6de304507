using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Patterns;
using EcommerceEda.Messaging.Sagas;
using EcommerceEda.Messaging.Streams;
using EcommerceEda.Messaging.Subscriptions;
using MassTransit;
using MassTransit.Saga;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EcommerceEda.Messaging;

/// <summary>Declares what a service publishes and consumes.</summary>
public sealed class MessagingBuilder
{
    private readonly IBusRegistrationConfigurator _bus;
    private readonly IServiceCollection _services;
    private readonly IEndpointNameFormatter _names;
    private readonly IConfiguration _configuration;

    internal MessagingBuilder(IBusRegistrationConfigurator bus, IEndpointNameFormatter names, IConfiguration configuration)
    {
        _bus = bus;
        _services = bus;
        _names = names;
        _configuration = configuration;
    }

    internal OutgoingMessages Outgoing { get; } = new();

    internal SubscriptionRegistry Subscriptions { get; } = new();

    /// <summary>The service publishes the event <typeparamref name="T"/> through its outbox.</summary>
    public MessagingBuilder Publishes<T>()
        where T : class
    {
        Outgoing.Add(typeof(T), command: false);
        return this;
    }

    /// <summary>The service sends the command <typeparamref name="T"/> to its owner's queue through its outbox.</summary>
    public MessagingBuilder Sends<T>()
        where T : class
    {
        Outgoing.Add(typeof(T), command: true);
        return this;
    }

    /// <summary>
    /// The service consumes with <typeparamref name="TConsumer"/>, on a quorum queue of its own named
    /// <c>{service}-{message}</c> (<c>warehouse-order-placed</c>), inside the inbox's transaction, under the
    /// default <see cref="RetryPolicy"/> (<c>Messaging:Retry</c>) and without a pattern unless <paramref name="configure"/>
    /// says otherwise. <c>Messaging:Subscriptions:{queue}:Retry</c> and <c>:Pattern</c> in configuration have the last word.
    /// </summary>
    public MessagingBuilder Consumes<TConsumer>(Action<Subscription>? configure = null)
        where TConsumer : class, IConsumer
    {
        var queue = _names.Consumer<TConsumer>();
        var subscription = new Subscription(typeof(TConsumer), queue, DefaultRetry());
        configure?.Invoke(subscription);
        _configuration.GetSection($"Messaging:Subscriptions:{queue}:Retry").Bind(subscription.Retry);
        if (_configuration[$"Messaging:Subscriptions:{queue}:Pattern"] is { } pattern)
        {
            subscription.Pattern = EventPattern.Parse(pattern);
        }

        Subscriptions.Add(subscription);
        _bus.AddConsumer<TConsumer>();
        return this;
    }

    /// <summary>
    /// The service orchestrates with the state machine <typeparamref name="TStateMachine"/> on the quorum queue
    /// <paramref name="queue"/>. Its instances live in <paramref name="table"/> (<c>correlation_id, version,
    /// current_state, data</c>), written in the inbox's transaction; it sends through the outbox
    /// (<c>context.Transaction()</c>), never straight to the broker.
    /// </summary>
    public MessagingBuilder Saga<TStateMachine, TState>(string queue, string table)
        where TStateMachine : class, SagaStateMachine<TState>
        where TState : class, SagaStateMachineInstance, ISagaVersion
    {
        _services.AddSingleton(new SagaTable<TState>(table));
        _bus.AddSagaStateMachine<TStateMachine, TState>()
            .Endpoint(endpoint => endpoint.Name = queue)
            .Repository(repository => repository.AddScoped<ISagaRepositoryContextFactory<TState>, PostgresSagaRepository<TState>>());
        var subscription = new Subscription(typeof(TStateMachine), queue, DefaultRetry());
        _configuration.GetSection($"Messaging:Subscriptions:{queue}:Retry").Bind(subscription.Retry);
        Subscriptions.Add(subscription);
        return this;
    }

    /// <summary>
    /// The service reads the event stream with <typeparamref name="THandler"/>, under the reader name
    /// <paramref name="reader"/> (its offset's key): every event, in order, resuming after a restart.
    /// </summary>
    public MessagingBuilder ReadsStream<THandler>(string reader)
        where THandler : class, IEventStreamHandler
    {
        Subscriptions.Add(new StreamSubscription(reader, typeof(THandler)));
        return this;
    }

    internal RetryPolicy DefaultRetry() => _configuration.GetSection("Messaging:Retry").Get<RetryPolicy>() ?? new RetryPolicy();
}
