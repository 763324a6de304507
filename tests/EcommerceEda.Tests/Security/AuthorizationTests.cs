using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.AppHost.Security;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Fulfillment;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Security;

/// <summary>
/// Every business endpoint wants a valid token in the right role: none is 401, the wrong role 403, the right one
/// is let in. A customer sees and acts on their own orders and returns only; another's order is not found.
/// </summary>
public sealed class AuthorizationTests(TestSystem system) : IClassFixture<TestSystem>
{
    private static readonly string AnyId = Guid.NewGuid().ToString();

    /// <summary>Each endpoint with a role it lets in and one it refuses.</summary>
    public static TheoryData<string, string, string, string, string> Endpoints => new()
    {
        { "orders", "POST", "/api/orders", Roles.Customer, Roles.Warehouse },
        { "orders", "GET", $"/api/orders/{AnyId}", Roles.Customer, Roles.Courier },
        { "orders", "GET", $"/api/orders/{AnyId}", Roles.Operator, Roles.Warehouse },
        { "orders", "GET", "/api/orders", Roles.Operator, Roles.Warehouse },
        { "orders", "POST", $"/api/orders/{AnyId}/cancel", Roles.Customer, Roles.Operator },
        { "warehouse", "PUT", "/api/stock/SKU-AUTH", Roles.Warehouse, Roles.Customer },
        { "warehouse", "GET", "/api/stock/SKU-AUTH", Roles.Operator, Roles.Courier },
        { "warehouse", "GET", "/api/picks", Roles.Warehouse, Roles.Customer },
        { "warehouse", "POST", $"/api/picks/{AnyId}/complete", Roles.Warehouse, Roles.Courier },
        { "delivery", "GET", $"/api/shipments/{AnyId}", Roles.Courier, Roles.Customer },
        { "delivery", "POST", $"/api/shipments/{AnyId}/delivered", Roles.Courier, Roles.Warehouse },
        { "delivery", "POST", $"/api/shipments/{AnyId}/failed", Roles.Courier, Roles.Operator },
        { "support", "GET", $"/api/orders/{AnyId}/timeline", Roles.Operator, Roles.Customer },
        { "support", "GET", "/api/customers/tester/timeline", Roles.Customer, Roles.Warehouse },
        { "support", "GET", "/api/follow-ups", Roles.Operator, Roles.Courier },
        { "support", "POST", "/api/returns", Roles.Customer, Roles.Warehouse },
        { "support", "POST", $"/api/returns/{AnyId}/receive", Roles.Warehouse, Roles.Customer },
        { "orders", "GET", "/ops/queues", Roles.Operator, Roles.Customer },
        { "support", "POST", "/ops/dead-letters/redrive", Roles.Operator, Roles.Warehouse },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task An_endpoint_wants_a_token_in_one_of_its_roles(string service, string method, string path, string allowed, string refused)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(service, method, path, token: null));
        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(service, method, path, TestTokens.For(refused)));
        Assert.NotEqual(HttpStatusCode.Unauthorized, await CallAsync(service, method, path, TestTokens.For(allowed)));
        Assert.NotEqual(HttpStatusCode.Forbidden, await CallAsync(service, method, path, TestTokens.For(allowed)));
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("another key")]
    [InlineData("another audience")]
    [InlineData("not a jwt")]
    public async Task A_token_the_services_did_not_issue_for_themselves_is_401(string flaw)
    {
        var token = flaw switch
        {
            "expired" => DevelopmentTokens.Create(TestTokens.SigningKey, "tester", [Roles.Operator], TimeSpan.FromMinutes(-10)),
            "another key" => TestTokens.For(Roles.Operator, signingKey: Convert.ToBase64String(new byte[32])),
            "another audience" => DevelopmentTokens.Create(
                TestTokens.SigningKey, "tester", [Roles.Operator], TimeSpan.FromMinutes(10), audience: "someone-else"),
            _ => "not-a-jwt",
        };

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync("orders", "GET", "/api/orders", token));
    }

    [Theory]
    [InlineData("orders", "/health")]
    [InlineData("warehouse", "/alive")]
    [InlineData("delivery", "/openapi/v1.json")]
    public async Task Health_checks_and_the_API_description_are_open(string service, string path) =>
        Assert.Equal(HttpStatusCode.OK, await CallAsync(service, "GET", path, token: null));

    [Fact]
    public async Task A_customer_sees_and_cancels_only_their_own_orders()
    {
        var sku = await system.StockAsync(onHand: 10);
        var alice = $"alice-{Guid.NewGuid():N}";
        var bob = $"bob-{Guid.NewGuid():N}";
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: alice), Requests.NewKey());
        using var asAlice = system.Orders.CreateClient().As(Roles.Customer, alice);
        using var asBob = system.Orders.CreateClient().As(Roles.Customer, bob);

        Assert.Equal(HttpStatusCode.OK, (await asAlice.GetAsync($"/api/orders/{orderId}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await asBob.GetAsync($"/api/orders/{orderId}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await system.CancelAsync(orderId, customerId: bob));
        Assert.Equal(HttpStatusCode.Forbidden, (await asBob.GetAsync($"/api/orders?customerId={alice}", TestContext.Current.CancellationToken)).StatusCode);
        var bobsPage = await asBob.GetFromJsonAsync<JsonObject>("/api/orders", TestContext.Current.CancellationToken);
        Assert.Empty(bobsPage!["items"]!.AsArray());
        var alicesPage = await asAlice.GetFromJsonAsync<JsonObject>("/api/orders", TestContext.Current.CancellationToken);
        Assert.Equal(orderId, Assert.Single(alicesPage!["items"]!.AsArray())!["orderId"]!.GetValue<Guid>());
        Assert.NotEqual("Cancelled", (await system.OrderAsync(orderId))["status"]!.GetValue<string>());
        Assert.DoesNotContain("Cancelled", (await system.OrderAsync(orderId)).HistoryStatuses());
    }

    [Fact]
    public async Task A_customer_may_not_place_an_order_for_another_and_nothing_is_stored()
    {
        var victim = $"victim-{Guid.NewGuid():N}";
        using var asMallory = system.Orders.CreateClient().As(Roles.Customer, "mallory");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(Requests.Order(customerId: victim)) };
        request.Headers.Add("Idempotency-Key", Requests.NewKey());

        var response = await asMallory.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM orders WHERE customer_id = @victim", new { victim }));
    }

    [Fact]
    public async Task A_customer_may_not_return_another_customers_order_nor_read_their_timeline()
    {
        var sku = await system.StockAsync(onHand: 10);
        var alice = $"alice-{Guid.NewGuid():N}";
        var orderId = await system.DeliveredOrderAsync(sku, quantity: 1, customerId: alice);
        await Eventually.Until(() => system.TimelineAsync(orderId), t => t?["events"]?.AsArray().Count >= 5);
        using var asBob = system.Support.CreateClient().As(Roles.Customer, "bob");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/returns") { Content = JsonContent.Create(new { orderId, reason = "mine now" }) };
        request.Headers.Add("Idempotency-Key", Requests.NewKey());

        Assert.Equal(HttpStatusCode.NotFound, (await asBob.SendAsync(request, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asBob.GetAsync($"/api/customers/{alice}/timeline", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(0, await system.ScalarAsync<int>("support", "SELECT count(*) FROM returns WHERE order_id = @orderId", new { orderId }));
    }

    private async Task<HttpStatusCode> CallAsync(string service, string method, string path, string? token)
    {
        using var client = system.AnonymousClient(service);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
