using EcommerceEda.Messaging.Outbox;
using MassTransit;

namespace EcommerceEda.Messaging;

/// <summary>Declares what a service publishes and consumes.</summary>
public sealed class MessagingBuilder
{
    private readonly IBusRegistrationConfigurator _bus;
    private readonly PublishedMessages _published;

    internal MessagingBuilder(IBusRegistrationConfigurator bus, PublishedMessages published)
    {
        _bus = bus;
        _published = published;
    }

    /// <summary>The service publishes <typeparamref name="T"/> through its outbox.</summary>
    public MessagingBuilder Publishes<T>()
        where T : class
    {
        _published.Add(typeof(T));
        return this;
    }

    /// <summary>
    /// The service consumes with <typeparamref name="TConsumer"/>, on a quorum queue of its own named
    /// <c>{service}-{message}</c> (<c>warehouse-order-placed</c>), inside the inbox's transaction.
    /// </summary>
    public MessagingBuilder Consumes<TConsumer>()
        where TConsumer : class, IConsumer
    {
        _bus.AddConsumer<TConsumer>();
        return this;
    }
}
