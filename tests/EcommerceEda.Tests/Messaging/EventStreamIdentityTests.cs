using EcommerceEda.Support.Features.Timeline;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// A reader resumes by reading the last event it applied again: another event in its place means the stream started
/// over and grew past the stored offset since, and the reader reads it from the start. (This class stops its system's Support.)
/// </summary>
public sealed class EventStreamIdentityTests(TestSystem system) : IClassFixture<TestSystem>
{
    private const string Customer = "stream-identity";

    [Fact]
    public async Task A_reader_that_finds_another_event_where_it_left_off_reads_the_stream_from_the_start()
    {
        var sku = await system.StockAsync(onHand: 100);
        await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: Customer), Requests.NewKey());
        await Eventually.Until(
            async () => (await EventStreamResumeTests.TimelineAsync(system.Support, Customer)).Count(e => e!["type"]!.GetValue<string>() == "StockReserved"),
            reserved => reserved == 1);
        await system.Support.DisposeAsync();
        // As if the event at the stored offset were another: the one the reader applied there is gone with the old stream.
        var stored = await system.ScalarAsync<long>(
            "support",
            "UPDATE stream_offsets SET last_message_id = gen_random_uuid() WHERE reader = @Reader RETURNING last_offset",
            new { Reader = TimelineProjection.Reader });

        MetricCollector<long>? reads = null;
        await using var restarted = system.NewHost<TimelineHandlers>("support", services => reads = TestMessages.StreamEventsRead(services));
        restarted.StartServer();
        using var collected = reads!;

        // Every event from offset 0 is read again, and the timeline, keyed by event id, stays as it was.
        await Eventually.Until(() => Task.FromResult(collected.GetMeasurementSnapshot().Sum(m => m.Value)), read => read == stored + 1);
        Assert.Equal(stored, await EventStreamResumeTests.LastOffsetAsync(restarted));
        Assert.Equal(1, await EventStreamResumeTests.TimelineCountAsync(restarted, Customer));
    }
}
