using EcommerceEda.Messaging.Streams;
using EcommerceEda.Support.Features.Timeline;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// A reader stopped for longer than the stream keeps its events (<c>Messaging:Stream:MaxAge</c>) finds the event it left
/// off at gone, and those after it that expired with it: it reports that and reads on from the first event left. Here
/// the stream keeps events for a second, in segments of a few events (retention removes whole segments). (This class
/// stops its system's Support.)
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

        // Orders keep coming while the reader is away, until retention has removed the events at and after its offset.
        var placed = new List<Guid>();
        await Eventually.Until(
            async () =>
            {
                placed.Add(await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: Customer), Requests.NewKey()));
                return await BrokerProbe.FirstStreamOffsetAsync(system.BrokerUri, EventStreamTopology.Name);
            },
            firstLeft => firstLeft > stored + 1);

        MetricCollector<long>? expired = null;
        await using var restarted = system.NewHost<TimelineHandlers>("support", services => expired = TestMessages.StreamEventsExpired(services));
        restarted.StartServer();
        using var expirations = expired!;

        // It noticed once, read on to the last order's events, and what it built before it stopped stays.
        await Eventually.Until(() => OrdersOnTimelineAsync(restarted), orders => orders.Contains(placed[^1]));
        Assert.Equal(1, expirations.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Contains(first, await OrdersOnTimelineAsync(restarted));
    }

    [Fact]
    public async Task A_service_whose_stream_settings_changed_uses_the_stream_as_it_was_declared()
    {
        // The stream keeps events for a second here; this service would keep them for the default 30 days. Declaring the
        // stream with other settings fails (PRECONDITION_FAILED), and that must not keep it from publishing or reading.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:rabbitmq"] = system.BrokerUri })
            .Build();
        using var topology = new EventStreamTopology(configuration, NullLogger<EventStreamTopology>.Instance);

        await topology.EnsureAvailableAsync(TestContext.Current.CancellationToken);
    }

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
