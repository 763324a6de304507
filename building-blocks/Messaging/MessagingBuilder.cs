using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Patterns;
using EcommerceEda.Messaging.Streams;
using EcommerceEda.Messaging.Subscriptions;
using MassTransit;
using Microsoft.Extensions.Configuration;

namespace EcommerceEda.Messaging;

/// <summary>Declares what a service publishes and consumes.</summary>
public sealed class MessagingBuilder
{
    private readonly IBusRegistrationConfigurator _bus;
    private readonly IEndpointNameFormatter _names;
    private readonly IConfiguration _configuration;

    internal MessagingBuilder(IBusRegistrationConfigurator bus, IEndpointNameFormatter names, IConfiguration configuration)
    {
        _bus = bus;
        _names = names;
        _configuration = configuration;
    }

    internal PublishedMessages Published { get; } = new();

    internal SubscriptionRegistry Subscriptions { get; } = new();

    /// <summary>The service publishes <typeparamref name="T"/> through its outbox.</summary>
    public MessagingBuilder Publishes<T>()
        where T : class
    {
        Published.Add(typeof(T));
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
    /// The service reads the event stream with <typeparamref name="THandler"/>, under the reader name
    /// <paramref name="reader"/> (its offset's key): every event, in order, resuming after a restart.
    /// </summary>
    public MessagingBuilder ReadsStream<THandler>(string reader)
        where THandler : class, IEventStreamHandler
    {
        StreamReaders.Add((reader, typeof(THandler)));
        return this;
    }

    internal List<(string Name, Type Handler)> StreamReaders { get; } = [];

    internal RetryPolicy DefaultRetry() => _configuration.GetSection("Messaging:Retry").Get<RetryPolicy>() ?? new RetryPolicy();
}
