using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Security;

/// <summary>A system whose Orders lets each customer place 2 orders at once, then 1 a second.</summary>
public sealed class RateLimitedSystem(TestInfrastructure infrastructure) : TestSystem(infrastructure)
{
    protected override IReadOnlyDictionary<string, string?> SettingOverrides => new Dictionary<string, string?>
    {
        ["Api:RateLimit:PermitsPerSecond"] = "1",
        ["Api:RateLimit:Burst"] = "2",
    };
}

/// <summary>Order placement is rate limited per customer: past the limit 429 with Retry-After, and nothing stored.</summary>
public sealed class RateLimitTests(RateLimitedSystem system) : IClassFixture<RateLimitedSystem>
{
    [Fact]
    public async Task A_customer_over_the_limit_gets_429_with_retry_after_and_others_are_not_held_up()
    {
        var greedy = $"greedy-{Guid.NewGuid():N}";
        using var orders = system.Orders.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => orders.PlaceOrderAsync(Requests.Order(customerId: greedy), Requests.NewKey())));

        var accepted = responses.Count(r => r.StatusCode == HttpStatusCode.Accepted);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(6, accepted + refused.Count);
        Assert.InRange(accepted, 2, 3); // the burst, and one more if a second turned meanwhile
        Assert.All(refused, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        var problem = await refused[0].Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal("Too many requests", problem!["title"]!.GetValue<string>());
        Assert.Equal(accepted, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM orders WHERE customer_id = @greedy", new { greedy }));
        Assert.Equal(HttpStatusCode.Accepted, (await orders.PlaceOrderAsync(Requests.Order(customerId: $"patient-{Guid.NewGuid():N}"), Requests.NewKey())).StatusCode);
    }
}
