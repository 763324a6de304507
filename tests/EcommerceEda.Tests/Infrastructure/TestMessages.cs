using System.Diagnostics.Metrics;
using EcommerceEda.Messaging;
using EcommerceEda.Orders.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>Messages built by hand, and the metric that shows a consumer dropped a duplicate.</summary>
public static class TestMessages
{
    public static OrderPlaced OrderPlaced(string sku, int quantity, string customerId = "customer-test") =>
        new(
            new EventMetadata(Guid.CreateVersion7(), "test", "orders", DateTimeOffset.UtcNow, SchemaVersion: 1),
            Guid.CreateVersion7(),
            customerId,
            "AUD",
            [new OrderLine(sku, quantity, 1m)],
            quantity,
            new ShippingAddress("1 George St", "Sydney", "2000", "AU"));

    /// <summary>Collects how many events the stream readers of one service host applied.</summary>
    public static MetricCollector<long> StreamEventsRead(IServiceProvider services) =>
        Collect(services, "messaging.stream.read");

    /// <summary>Collects how many times one service host's stream reader resumed to find the event it left off at gone.</summary>
    public static MetricCollector<long> StreamResumesExpired(IServiceProvider services) =>
        Collect(services, "messaging.stream.expired");

    /// <summary>Collects how many outbox messages one service host published.</summary>
    public static MetricCollector<long> Published(IServiceProvider services) =>
        Collect(services, "messaging.outbox.published");

    /// <summary>Collects the inbox's duplicate counter of one service host.</summary>
    public static MetricCollector<long> DuplicatesDropped(IServiceProvider services) =>
        Collect(services, "messaging.inbox.duplicates");

    /// <summary>The sum of what a counter recorded so far.</summary>
    public static long Total(this MetricCollector<long> collector) => collector.GetMeasurementSnapshot().Sum(m => m.Value);

    private static MetricCollector<long> Collect(IServiceProvider services, string instrument) =>
        new(services.GetRequiredService<IMeterFactory>(), MessagingMetrics.Name, instrument);
}
