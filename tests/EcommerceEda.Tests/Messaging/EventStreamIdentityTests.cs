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
        // As if the event at the stored offset were another: the stream started over and grew past the offset since.
        await using var restarted = await RestartWithStoredEventIdAsync("stream-identity", "gen_random_uuid()");

        // Every event from offset 0 is read again, and the timeline, keyed by event id, stays as it was.
        await Eventually.Until(() => Task.FromResult(restarted.Read), read => read == restarted.Stored + 1);
        Assert.Equal(restarted.Stored, await EventStreamResumeTests.LastOffsetAsync(restarted.Support));
        Assert.Equal(1, await EventStreamResumeTests.TimelineCountAsync(restarted.Support, restarted.Customer));
    }

    [Fact]
    public async Task A_reader_whose_offset_was_stored_without_its_event_id_resumes_after_it()
    {
        // An offset stored before readers kept the event's id (migration 0010) has nothing to compare.
        await using var restarted = await RestartWithStoredEventIdAsync("stream-identity-upgrade", "NULL");
        await system.PlaceAsync(Requests.Order(restarted.Sku, quantity: 1, customerId: restarted.Customer), Requests.NewKey());

        // Only the new order's events are read, and the stored offset has an id again.
        // (Offsets count events here: one stream segment, 500 MB by default, holds them all; the next would begin with
        // an entry that is no event.)
        await Eventually.Until(() => EventStreamResumeTests.TimelineCountAsync(restarted.Support, restarted.Customer), count => count == 2);
        await Eventually.Until(
            async () => (restarted.Read, Last: await EventStreamResumeTests.LastOffsetAsync(restarted.Support)),
            progress => progress.Read == progress.Last - restarted.Stored);
        Assert.NotNull(await system.ScalarAsync<Guid?>(
            "support", "SELECT last_message_id FROM stream_offsets WHERE reader = @Reader", new { Reader = TimelineProjection.Reader }));
    }

    // Places an order for customer and waits until a Support applied its events, stops Support, sets the stored event id
    // to eventIdSql, and starts Support again, counting the events it reads.
    private async Task<RestartedReader> RestartWithStoredEventIdAsync(string customer, string eventIdSql)
    {
        var sku = await system.StockAsync(onHand: 100);
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
        var support = system.NewHost<TimelineHandlers>("support", services => reads = TestMessages.StreamEventsRead(services));
        support.StartServer();
        return new RestartedReader(support, reads!, stored, sku, customer);
    }

    /// <summary>Support started again on a stored offset: the events it has read since, and what the test set up.</summary>
    private sealed record RestartedReader(
        ServiceHost<TimelineHandlers> Support, MetricCollector<long> Reads, long Stored, string Sku, string Customer) : IAsyncDisposable
    {
        public long Read => Reads.Total();

        public async ValueTask DisposeAsync()
        {
            Reads.Dispose();
            await Support.DisposeAsync();
        }
    }
}
