using EcommerceEda.Support.Features.Timeline;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// A reader resumes by reading the last event it applied again, and compares that event's id with the one it stored.
/// (Each test runs its own instances of Support: the system's own is stopped.)
/// </summary>
public sealed class EventStreamIdentityTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task A_reader_that_finds_another_event_where_it_left_off_reads_the_stream_from_the_start()
    {
        const string customer = "stream-identity";
        var sku = await system.StockAsync(onHand: 100);

        // As if the event at the stored offset were another: the stream started over and grew past the offset since.
        var (restarted, reads, stored) = await RestartWithStoredEventIdAsync(sku, customer, "gen_random_uuid()");
        await using var support = restarted;
        using var collected = reads;

        // Every event from offset 0 is read again, and the timeline, keyed by event id, stays as it was.
        await Eventually.Until(() => Task.FromResult(collected.GetMeasurementSnapshot().Sum(m => m.Value)), read => read == stored + 1);
        Assert.Equal(stored, await EventStreamResumeTests.LastOffsetAsync(support));
        Assert.Equal(1, await EventStreamResumeTests.TimelineCountAsync(support, customer));
    }

    [Fact]
    public async Task A_reader_whose_offset_was_stored_without_its_event_id_resumes_after_it()
    {
        const string customer = "stream-identity-upgrade";
        var sku = await system.StockAsync(onHand: 100);

        // An offset stored before readers kept the event's id (migration 0010) has nothing to compare.
        var (restarted, reads, stored) = await RestartWithStoredEventIdAsync(sku, customer, "NULL");
        await using var support = restarted;
        using var collected = reads;
        await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: customer), Requests.NewKey());

        // Only the new order's events are read, and the stored offset has an id again.
        await Eventually.Until(() => EventStreamResumeTests.TimelineCountAsync(support, customer), count => count == 2);
        await Eventually.Until(
            async () => (Read: collected.GetMeasurementSnapshot().Sum(m => m.Value), Last: await EventStreamResumeTests.LastOffsetAsync(support)),
            progress => progress.Read == progress.Last - stored);
        Assert.NotNull(await system.ScalarAsync<Guid?>(
            "support", "SELECT last_message_id FROM stream_offsets WHERE reader = @Reader", new { Reader = TimelineProjection.Reader }));
    }

    // Places an order and waits until a Support applied its events, stops Support, sets the stored event id to
    // eventIdSql, and starts Support again, counting the events it reads. Returns the stored offset too.
    private async Task<(ServiceHost<TimelineHandlers> Support, MetricCollector<long> Reads, long Stored)> RestartWithStoredEventIdAsync(
        string sku, string customer, string eventIdSql)
    {
        await system.Support.DisposeAsync();
        await using (var before = system.NewHost<TimelineHandlers>("support"))
        {
            before.StartServer();
            await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: customer), Requests.NewKey());
            await Eventually.Until(
                async () => (await EventStreamResumeTests.TimelineAsync(before, customer)).Count(e => e!["type"]!.GetValue<string>() == "StockReserved"),
                reserved => reserved == 1);
        }

        var stored = await system.ScalarAsync<long>(
            "support",
            $"UPDATE stream_offsets SET last_message_id = {eventIdSql} WHERE reader = @Reader RETURNING last_offset",
            new { Reader = TimelineProjection.Reader });
        MetricCollector<long>? reads = null;
        var restarted = system.NewHost<TimelineHandlers>("support", services => reads = TestMessages.StreamEventsRead(services));
        restarted.StartServer();
        return (restarted, reads!, stored);
    }
}
