using System.Text.Json;
using EcommerceEda.Messaging.Streams;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// A reader's stored offset belongs to one stream: when the stream starts over (the broker lost its data, or the stream
/// was deleted), the offsets begin again at 0 and the reader must not take the new stream's first events for ones it
/// applied. (This class deletes its system's stream.)
/// </summary>
public sealed class EventStreamStartOverTests(TestSystem system) : IClassFixture<TestSystem>
{
    private const string Customer = "stream-start-over";

    [Fact]
    public async Task A_reader_whose_stream_is_deleted_declares_it_again_and_reads_the_new_one_from_its_start()
    {
        var sku = await system.StockAsync(onHand: 100);
        var first = await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: Customer), Requests.NewKey());
        await Eventually.Until(
            async () => (await EventStreamResumeTests.TimelineAsync(system.Support, Customer)).Count(e => e!["type"]!.GetValue<string>() == "StockReserved"),
            reserved => reserved == 1); // the reader stored the offset of the first order's last event

        await BrokerProbe.DeleteQueueAsync(system.BrokerUri, EventStreamTopology.Name);

        // The broker cancels the reader's consumer; the reader declares the stream again, empty, and binds it, then
        // reads on from its stored offset (a number; its first session read from "first").
        await Eventually.Until(ResumingReadersAsync, resuming => resuming == 1);
        var second = await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: Customer), Requests.NewKey());

        // The new stream's first events are read (the second order), and what was built from the old one stays.
        await Eventually.Until(() => EventStreamResumeTests.TimelineCountAsync(system.Support, Customer), count => count == 2);
        var placed = (await EventStreamResumeTests.TimelineAsync(system.Support, Customer))
            .Where(e => e!["type"]!.GetValue<string>() == "OrderPlaced")
            .Select(e => e!["orderId"]!.GetValue<Guid>());
        Assert.Equal(new[] { first, second }.Order(), placed.Order());
    }

    // The management API answers 500 for a stream whose member is still starting.
    private async Task<int?> ResumingReadersAsync()
    {
        try
        {
            return (await system.QueueAsync(EventStreamTopology.Name))?["consumer_details"]?.AsArray()
                .Count(consumer => consumer!["arguments"]!["x-stream-offset"]!.GetValueKind() == JsonValueKind.Number);
        }
        catch (HttpRequestException exception) when (exception.StatusCode == System.Net.HttpStatusCode.InternalServerError)
        {
            return null;
        }
    }
}
