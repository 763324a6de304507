using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.Messaging;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace EcommerceEda.Tests.Support;

/// <summary>A content-based subscription in the domain: only big orders and watched countries reach it.</summary>
public sealed class PriorityFollowUpTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Theory]
    [InlineData(200, 9.95, "AU", "total 1990.00 AUD is at least 1000")]
    [InlineData(1, 9.95, "NZ", "ships to NZ")]
    public async Task Opens_a_follow_up_for_an_order_its_pattern_matches(int quantity, decimal unitPrice, string country, string reason)
    {
        var sku = await system.StockAsync(onHand: 1_000);

        var orderId = await system.PlaceAsync(Order(sku, quantity, unitPrice, country), Requests.NewKey());

        var followUp = await Eventually.Until(() => FollowUpAsync(orderId), f => f is not null);
        Assert.Equal(reason, followUp!["reason"]!.GetValue<string>());
        Assert.Equal(country, followUp["country"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_order_its_pattern_does_not_match_never_reaches_the_consumer()
    {
        var sku = await system.StockAsync(onHand: 10);
        using var filtered = new MetricCollector<long>(
            system.Support.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            MessagingMetrics.Name,
            "messaging.subscription.filtered");

        var orderId = await system.PlaceAsync(Order(sku, quantity: 1, unitPrice: 9.95m, country: "AU"), Requests.NewKey());

        await Eventually.Until(() => system.TimelineAsync(orderId), timeline => timeline is not null);
        await filtered.WaitForMeasurementsAsync(1, Eventually.DefaultTimeout);
        Assert.Equal("support-priority-follow-up", filtered.LastMeasurement!.Tags["consumer"]);
        Assert.Null(await FollowUpAsync(orderId));
        Assert.Equal(0, await system.DeadLetterCountAsync("support-priority-follow-up"));
        Assert.Equal(0, await system.SkippedCountAsync("support-priority-follow-up"));
    }

    private static JsonObject Order(string sku, int quantity, decimal unitPrice, string country)
    {
        var order = Requests.Order(sku, quantity);
        order["lines"]![0]!["unitPrice"] = unitPrice;
        order["shippingAddress"]!["country"] = country;
        return order;
    }

    private async Task<JsonNode?> FollowUpAsync(Guid orderId)
    {
        using var support = system.Support.CreateClient().AsOperator();
        var followUps = await support.GetFromJsonAsync<JsonArray>("/api/follow-ups", TestContext.Current.CancellationToken);
        return followUps!.FirstOrDefault(f => f!["orderId"]!.GetValue<Guid>() == orderId);
    }
}
