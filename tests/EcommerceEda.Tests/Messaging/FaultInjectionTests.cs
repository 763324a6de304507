using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using EcommerceEda.Messaging.Faults;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.DependencyInjection;

namespace EcommerceEda.Tests.Messaging;

/// <summary>A system whose services open <c>/ops/faults</c>, as the fault suite's AppHost runs them.</summary>
public sealed class FaultInjectionSystem(TestInfrastructure infrastructure) : TestSystem(infrastructure)
{
    protected override IReadOnlyDictionary<string, string?> SettingOverrides =>
        new Dictionary<string, string?> { ["Messaging:Faults:Enabled"] = "true" };
}

/// <summary>
/// The faults the fault suite injects through <c>/ops/faults</c>: publishes repeated and held back. (The crash points
/// kill the process, so they are exercised where the services run as processes: the fault suite.)
/// </summary>
public sealed class FaultInjectionTests(FaultInjectionSystem system) : IClassFixture<FaultInjectionSystem>
{
    private const string ReserveStockSent = """
        SELECT count(*) FROM outbox_messages
        WHERE message_type = 'urn:message:warehouse:reserve-stock:v1' AND body->>'orderId' = @Id AND sent_at IS NOT NULL
        """;

    [Fact]
    public async Task While_the_relay_repeats_every_publish_each_copy_is_dropped_and_the_stock_reserved_once()
    {
        using var orders = system.Orders.CreateClient().AsOperator();
        var sku = await system.StockAsync(onHand: 10);
        using var duplicates = TestMessages.DuplicatesDropped(system.Warehouse.Services);
        Guid orderId;
        await DisturbAsync(orders, duplicateRate: 1, delayRate: 0);
        try
        {
            orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 3), Requests.NewKey());

            // Each copy of ReserveStock reaches Warehouse with the same message id: its inbox drops them all.
            await Eventually.Until(() => Task.FromResult(Dropped(duplicates, "warehouse-reserve-stock")), dropped => dropped >= 2);
            Assert.Equal(3, await system.ReservedAsync(sku));
            Assert.Equal(0, await system.ScalarAsync<int>("orders", ReserveStockSent, new { Id = orderId.ToString() })); // never marked sent
        }
        finally
        {
            await DisturbAsync(orders, duplicateRate: 0, delayRate: 0);
        }

        await Eventually.Until(() => system.ScalarAsync<int>("orders", ReserveStockSent, new { Id = orderId.ToString() }), sent => sent == 1);
        Assert.Equal(3, await system.ReservedAsync(sku));
        Assert.Equal(0, await system.SkippedCountAsync("warehouse-reserve-stock"));
    }

    [Fact]
    public async Task While_the_relay_holds_back_every_publish_nothing_leaves_the_outbox_and_then_everything_does()
    {
        using var orders = system.Orders.CreateClient().AsOperator();
        var sku = await system.StockAsync(onHand: 10);
        Guid orderId;
        await DisturbAsync(orders, duplicateRate: 0, delayRate: 1);
        try
        {
            orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 2), Requests.NewKey());

            // Held back at its commit and again by the relay a second later (its not-before moved on by a second each
            // time): two and a half seconds on, it was never published.
            await Eventually.Until(
                () => system.ScalarAsync<bool>("orders", "SELECT bool_and(now() > created_at + interval '2.5 seconds') FROM outbox_messages WHERE body->>'orderId' = @Id", new { Id = orderId.ToString() }),
                heldTwice => heldTwice);
            Assert.Equal(0, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM outbox_messages WHERE sent_at IS NOT NULL AND body->>'orderId' = @Id", new { Id = orderId.ToString() }));
            Assert.Equal(0, await system.ReservedAsync(sku));
        }
        finally
        {
            await DisturbAsync(orders, duplicateRate: 0, delayRate: 0);
        }

        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 2);
    }

    [Theory]
    [InlineData("PUT", "/ops/faults/deliveries", """{"duplicateRate": 1.5, "delayRate": 0}""", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "/ops/faults/deliveries", """{"duplicateRate": 0, "delayRate": -0.1}""", HttpStatusCode.BadRequest)]
    [InlineData("POST", "/ops/faults/crash/after-lunch", null, HttpStatusCode.NotFound)]
    [InlineData("POST", "/ops/faults/crash/RelayAfterConfirm", null, HttpStatusCode.NotFound)]
    public async Task Bad_fault_requests_are_refused_and_arm_nothing(string method, string path, string? body, HttpStatusCode expected)
    {
        using var orders = system.Orders.CreateClient().AsOperator();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await orders.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains(expected == HttpStatusCode.NotFound ? "relay-after-confirm, consumer-after-commit" : "from 0 to 1", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_request_that_arrives_after_it_expired_is_refused_and_arms_nothing()
    {
        using var orders = system.Orders.CreateClient().AsOperator();
        var expired = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O", CultureInfo.InvariantCulture));

        using var response = await orders.PostAsync($"/ops/faults/crash/consumer-after-commit?expires={expired}", content: null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("nothing was armed", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.False(system.Orders.Services.GetRequiredService<FaultInjection>().IsArmed(CrashPoint.ConsumerAfterCommit));
    }

    [Fact]
    public async Task Faults_need_an_operator_token()
    {
        using var response = await system.Orders.CreateClient()
            .PutAsJsonAsync("/ops/faults/deliveries", new { duplicateRate = 0, delayRate = 0 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static async Task DisturbAsync(HttpClient orders, double duplicateRate, double delayRate)
    {
        using var response = await orders.PutAsJsonAsync(
            "/ops/faults/deliveries", new { duplicateRate, delayRate }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static long Dropped(Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long> duplicates, string consumer) =>
        duplicates.GetMeasurementSnapshot().Where(m => Equals(m.Tags["consumer"], consumer)).Sum(m => m.Value);
}
