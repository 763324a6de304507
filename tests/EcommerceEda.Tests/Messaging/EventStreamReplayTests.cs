using System.Net;
using EcommerceEda.Support.Features.Timeline;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Messaging;

/// <summary>A stream reader forgets what it built and rebuilds it, the same, from the start of the stream.</summary>
public sealed class EventStreamReplayTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task A_replay_from_the_start_rebuilds_the_same_timeline()
    {
        var sku = await system.StockAsync(onHand: 100);
        foreach (var _ in Enumerable.Range(0, 3))
        {
            await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: "stream-replay"), Requests.NewKey());
        }

        await Eventually.Until(() => EventStreamResumeTests.TimelineCountAsync(system.Support, "stream-replay"), count => count == 3);
        // Quiet: the saga reserved each order, and Warehouse's StockReserved reached the timeline too.
        await Eventually.Until(
            async () => (await EventStreamResumeTests.TimelineAsync(system.Support, "stream-replay")).Count(e => e!["type"]!.GetValue<string>() == "StockReserved"),
            reserved => reserved == 3);
        var before = await EventStreamResumeTests.TimelineAsync(system.Support, "stream-replay");
        var offset = await EventStreamResumeTests.LastOffsetAsync(system.Support);

        using var support = system.Support.CreateClient().AsOperator();
        var replay = await support.PostAsync($"/ops/streams/{TimelineProjection.Reader}/replay", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        await Eventually.Until(() => EventStreamResumeTests.LastOffsetAsync(system.Support), last => last == offset);
        Assert.Equal(before.ToJsonString(), (await EventStreamResumeTests.TimelineAsync(system.Support, "stream-replay")).ToJsonString());
    }
}
