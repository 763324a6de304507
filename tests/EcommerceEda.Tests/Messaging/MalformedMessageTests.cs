using EcommerceEda.Delivery.Contracts;
using EcommerceEda.Messaging.Topology;
using EcommerceEda.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// A message without its contract's shape, or not readable at all, goes to the dead-letter queue at once with its
/// reason: it is not retried, changes nothing, and the consumer goes on with the next.
/// </summary>
public sealed class MalformedMessageTests(TestSystem system) : IClassFixture<TestSystem>
{
    private const string Queue = "delivery-ship-order";

    [Fact]
    public async Task A_command_missing_required_fields_is_dead_lettered_at_once_naming_each()
    {
        var malformed = new ShipOrder(Guid.Empty, new Destination("1 Market Street", null!, "69002", "FR"));

        await SendAsync(malformed);

        var headers = await TakeDeadLetterAsync();
        Assert.Equal("malformed", headers[DeadLetterHeadersFilter.Reason]);
        Assert.Equal("1", headers[DeadLetterHeadersFilter.Attempts]);
        Assert.Equal("malformed ShipOrder: orderId: empty; destination.city: missing", headers["MT-Fault-Message"]);
        Assert.Equal(0, await ShipmentsAsync(Guid.Empty));
        await AssertStillConsumingAsync();
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_dead_lettered_as_malformed()
    {
        var shipments = await ShipmentsAsync(orderId: null);
        await BrokerProbe.PublishRawAsync(system.BrokerUri, Queue, "{ this is not json", "application/vnd.masstransit+json");

        var headers = await TakeDeadLetterAsync();
        Assert.Equal("malformed", headers[DeadLetterHeadersFilter.Reason]);
        Assert.Equal("System.Text.Json.JsonReaderException", headers["MT-Fault-ExceptionType"]);
        Assert.Equal(shipments, await ShipmentsAsync(orderId: null));
        await AssertStillConsumingAsync();
    }

    private async Task SendAsync(ShipOrder command)
    {
        var bus = system.Orders.Services.GetRequiredService<IBus>();
        var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{Queue}"));
        await endpoint.Send(command, TestContext.Current.CancellationToken);
    }

    private async Task<Dictionary<string, string>> TakeDeadLetterAsync()
    {
        await Eventually.Until(() => system.DeadLetterCountAsync(Queue), count => count == 1);
        return BrokerProbe.Headers((await BrokerProbe.TakeAsync(system.BrokerUri, QueueTopology.DeadLetterQueue(Queue)))!);
    }

    // The next well-formed command is shipped: nothing was left stuck behind the bad one.
    private async Task AssertStillConsumingAsync()
    {
        var orderId = Guid.NewGuid();
        await SendAsync(new ShipOrder(orderId, new Destination("1 Market Street", "Lyon", "69002", "FR")));
        await Eventually.Until(() => ShipmentsAsync(orderId), count => count == 1);
    }

    // Shipments of one order, or of all when null.
    private Task<int> ShipmentsAsync(Guid? orderId) => system.ScalarAsync<int>(
        "delivery", "SELECT count(*) FROM shipments WHERE @orderId IS NULL OR order_id = @orderId", new { orderId });
}
