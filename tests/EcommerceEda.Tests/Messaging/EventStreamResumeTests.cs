using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.Support.Features.Timeline;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// Every event lands in one stream; Support's timeline is a reader of it that resumes after a restart.
/// (This class stops its system's Support: replay has a class of its own.)
/// </summary>
public sealed class EventStreamResumeTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task A_reader_resumes_after_its_stored_offset_when_it_restarts()
    {
        var sku = await system.StockAsync(onHand: 100);
        var first = await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: "stream-resume"), Requests.NewKey());
        await Eventually.Until(() => system.TimelineAsync(first), timeline => timeline is not null);
        await system.Support.DisposeAsync(); // the reader stops; events keep landing in the stream
        var before = await system.ScalarAsync<long>(
            "support", "SELECT last_offset FROM stream_offsets WHERE reader = @Reader", new { Reader = TimelineProjection.Reader });
        var missed = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: "stream-resume"), Requests.NewKey())));
        MetricCollector<long>? reads = null;
        await using var restarted = system.NewHost<TimelineHandlers>("support", services => reads = TestMessages.StreamEventsRead(services));
        restarted.StartServer();
        using var collected = reads!; // attached before the reader started: it sees every event read

        await Eventually.Until(() => TimelineCountAsync(restarted, "stream-resume"), count => count == 4);
        // It read exactly the events after its stored offset, not the stream from the start.
        // (Offsets count events here: one stream segment, 500 MB by default, holds them all; the next would begin with
        // an entry that is no event.)
        await Eventually.Until(
            async () => (Read: collected.Total(), Last: await LastOffsetAsync(restarted)),
            progress => progress.Read == progress.Last - before);
        Assert.All(missed, orderId => Assert.NotEqual(first, orderId));
    }

    internal static async Task<long?> LastOffsetAsync(ServiceHost<TimelineHandlers> support)
    {
        using var client = support.CreateClient().AsOperator();
        var readers = await client.GetFromJsonAsync<JsonArray>("/ops/streams", TestContext.Current.CancellationToken);
        return Assert.Single(readers!)!["lastOffset"]?.GetValue<long>();
    }

    internal static async Task<JsonArray> TimelineAsync(ServiceHost<TimelineHandlers> support, string customerId)
    {
        using var client = support.CreateClient().AsOperator();
        var timeline = await client.GetFromJsonAsync<JsonObject>($"/api/customers/{customerId}/timeline", TestContext.Current.CancellationToken);
        return timeline!["events"]!.AsArray();
    }

    /// <summary>How many of the customer's orders the timeline shows as placed.</summary>
    internal static async Task<int> TimelineCountAsync(ServiceHost<TimelineHandlers> support, string customerId) =>
        (await TimelineAsync(support, customerId)).Count(e => e!["type"]!.GetValue<string>() == "OrderPlaced");
}
