using System.Diagnostics.Metrics;
using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Topology;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace EcommerceEda.Tests.Messaging;

/// <summary>Quorum queues with quorum dead-letter queues, and the retry policy that leads there.</summary>
public sealed class DeadLetterTests(TestSystem system) : IClassFixture<TestSystem>
{
    private const string Queue = "warehouse-reserve-stock";
    private const string DeadLetters = "warehouse-reserve-stock_error";

    [Fact]
    public async Task Each_queue_is_a_quorum_queue_that_dead_letters_at_least_once_into_its_own_quorum_error_queue()
    {
        var queue = await system.QueueAsync(Queue);
        var deadLetters = await system.QueueAsync(DeadLetters);

        Assert.Equal("quorum", queue!["type"]!.GetValue<string>());
        var arguments = queue["arguments"]!;
        Assert.Equal(DeadLetters, arguments["x-dead-letter-exchange"]!.GetValue<string>());
        Assert.Equal("at-least-once", arguments["x-dead-letter-strategy"]!.GetValue<string>());
        Assert.Equal("reject-publish", arguments["x-overflow"]!.GetValue<string>());
        Assert.Equal(5, arguments["x-delivery-limit"]!.GetValue<int>());
        Assert.Equal("quorum", deadLetters!["type"]!.GetValue<string>());
        Assert.Null(deadLetters["arguments"]!["x-dead-letter-exchange"]);
        Assert.Null(deadLetters["arguments"]!["x-delivery-limit"]);
    }

    [Fact]
    public async Task A_poison_message_is_dead_lettered_once_after_its_attempts_with_the_reason_and_others_keep_flowing()
    {
        var sku = await system.StockAsync(onHand: 10);
        // A negative quantity passes no check yet: the saga asks Warehouse to reserve it, which breaks the stock
        // table's CHECK on every attempt.
        var poison = TestMessages.OrderPlaced(sku, quantity: -5);
        using var failedAttempts = Collect("messaging.consumer.failed_attempts");
        using var deadLettered = Collect("messaging.consumer.dead_lettered");
        using var depth = Collect("messaging.dead_letter_queue.depth");

        await system.Orders.Services.GetRequiredService<IBus>().Publish(poison, TestContext.Current.CancellationToken);
        var healthyOrder = await system.PlaceAsync(Requests.Order(sku, quantity: 2), Requests.NewKey());

        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 2);
        await Eventually.Until(() => system.DeadLetterCountAsync(Queue), count => count == 1);
        Assert.Equal(5, failedAttempts.Total());
        Assert.Equal("failed", Assert.Single(deadLettered.GetMeasurementSnapshot()).Tags["reason"]);
        await Eventually.Until(
            () => Task.FromResult(Sample(depth)),
            sampled => sampled == 1); // the monitor samples the dead-letter queue every 200 ms in these tests
        var deadLetter = await BrokerProbe.TakeAsync(system.BrokerUri, DeadLetters);
        var headers = BrokerProbe.Headers(deadLetter!);
        Assert.Equal("failed", headers[DeadLetterHeadersFilter.Reason]);
        Assert.Equal("5", headers[DeadLetterHeadersFilter.Attempts]);
        Assert.True(DateTimeOffset.Parse(headers[DeadLetterHeadersFilter.FirstFailure], null) < DateTimeOffset.Parse(headers[DeadLetterHeadersFilter.LastFailure], null));
        Assert.Contains("PostgresException", headers["MT-Fault-ExceptionType"], StringComparison.Ordinal);
        Assert.Contains("23514", headers["MT-Fault-Message"], StringComparison.Ordinal); // check_violation
        Assert.Equal(0, await system.DeadLetterCountAsync(Queue));
        Assert.NotNull(await system.TimelineAsync(healthyOrder));
    }

    [Fact]
    public async Task An_event_older_than_its_max_age_is_dead_lettered_as_expired_without_being_processed_by_the_saga()
    {
        var sku = await system.StockAsync(onHand: 10);
        var stale = TestMessages.OrderPlaced(sku, quantity: 1);
        stale = stale with { Metadata = stale.Metadata with { OccurredAt = DateTimeOffset.UtcNow.AddDays(-2) } };

        await system.Orders.Services.GetRequiredService<IBus>().Publish(stale, TestContext.Current.CancellationToken);

        await Eventually.Until(() => system.DeadLetterCountAsync("orders-fulfillment"), count => count == 1);
        var headers = BrokerProbe.Headers((await BrokerProbe.TakeAsync(system.BrokerUri, "orders-fulfillment_error"))!);
        Assert.Equal("expired", headers[DeadLetterHeadersFilter.Reason]);
        Assert.Equal("1", headers[DeadLetterHeadersFilter.Attempts]);
        Assert.Contains("MaxEventAge", headers["MT-Fault-Message"], StringComparison.Ordinal);
        Assert.Equal(0, await system.ReservedAsync(sku));
        Assert.Equal(0, await system.ScalarAsync<int>("warehouse", "SELECT count(*) FROM reservations WHERE order_id = @OrderId", stale));
    }

    private MetricCollector<long> Collect(string instrument) =>
        new(system.Warehouse.Services.GetRequiredService<IMeterFactory>(), MessagingMetrics.Name, instrument);

    private static long? Sample(MetricCollector<long> gauge)
    {
        gauge.RecordObservableInstruments();
        return gauge.GetMeasurementSnapshot().LastOrDefault(m => (string?)m.Tags["queue"] == DeadLetters)?.Value;
    }
}
