using EcommerceEda.Messaging.Streams;
using EcommerceEda.Support.Features.Timeline;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// The stream keeps events for <c>Messaging:Stream:MaxAge</c>, a second here, in segments of a few events
/// (<c>Messaging:Stream:MaxSegmentSize</c>; retention removes whole segments). A reader stopped for longer finds the event
/// it left off at gone: it says so and reads on from the first event left. (This class stops its system's Support.)
/// </summary>
public sealed class EventStreamRetentionTests(EventStreamRetentionTests.ShortRetention system)
    : IClassFixture<EventStreamRetentionTests.ShortRetention>
{
    private const string Customer = "stream-retention";

    [Fact]
    public async Task A_reader_whose_offset_left_the_stream_reports_it_and_reads_on_from_the_first_event_left()
    {
        var sku = await system.StockAsync(onHand: 1_000);
        var first = await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: Customer), Requests.NewKey());
        await Eventually.Until(() => system.TimelineAsync(first), timeline => timeline is not null);
        await system.Support.DisposeAsync();
        var stored = await system.ScalarAsync<long>(
            "support", "SELECT last_offset FROM stream_offsets WHERE reader = @Reader", new { Reader = TimelineProjection.Reader });

        // Orders keep coming while the reader is away, until retention has removed the event at its offset. (The offset
        // after it may be the next segment's first entry, which is no event: only a later first event shows the removal.)
        await Eventually.Until(
            async () =>
            {
                await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: Customer), Requests.NewKey());
                return await BrokerProbe.FirstStreamOffsetAsync(system.BrokerUri, EventStreamTopology.Name);
            },
            firstLeft => firstLeft > stored + 1);

        MetricCollector<long>? expired = null;
        await using var restarted = system.NewHost<TimelineHandlers>("support", services => expired = TestMessages.StreamResumesExpired(services));
        restarted.StartServer();
        using var expirations = expired!;

        // It reads on: an order placed now reaches the timeline (the events placed meanwhile may expire before it starts),
        // and what it built before it stopped stays.
        await Eventually.Until(() => Task.FromResult(expirations.Total()), count => count >= 1);
        var next = await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: Customer), Requests.NewKey());
        await Eventually.Until(() => OrdersOnTimelineAsync(restarted), orders => orders.Contains(next));
        Assert.Contains(first, await OrdersOnTimelineAsync(restarted));
    }

    [Fact]
    public async Task A_service_whose_stream_settings_changed_uses_the_stream_as_it_was_declared()
    {
        // The services declared the stream to keep events for a second; this one would keep them the default 30 days.
        await Eventually.Until(MaxAgeAsync, maxAge => maxAge == "1s");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:rabbitmq"] = system.BrokerUri })
            .Build();
        var logger = new FakeLogger<EventStreamTopology>();
        using var topology = new EventStreamTopology(configuration, logger);

        // Declaring it with other settings fails (PRECONDITION_FAILED): that is logged, and must not keep it from
        // publishing or reading.
        await topology.EnsureAvailableAsync(TestContext.Current.CancellationToken);

        Assert.Contains(logger.Collector.GetSnapshot(), log => log.Level == LogLevel.Warning && log.Message.Contains("x-max-age"));
        Assert.Equal("1s", await MaxAgeAsync());
    }

    private async Task<string?> MaxAgeAsync() =>
        (await system.QueueAsync(EventStreamTopology.Name))?["arguments"]?["x-max-age"]?.GetValue<string>();

    private static async Task<HashSet<Guid>> OrdersOnTimelineAsync(ServiceHost<TimelineHandlers> support) =>
        [.. (await EventStreamResumeTests.TimelineAsync(support, Customer)).Select(e => e!["orderId"]!.GetValue<Guid>())];

    public sealed class ShortRetention(TestInfrastructure infrastructure) : TestSystem(infrastructure)
    {
        protected override IReadOnlyDictionary<string, string?> SettingOverrides => new Dictionary<string, string?>
        {
            ["Messaging:Stream:MaxAge"] = "1s",
            ["Messaging:Stream:MaxSegmentSize"] = "4096",
        };
    }
}
