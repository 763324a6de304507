using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.Orders;

/// <summary>POST /api/orders and GET /api/orders/{id} against the real Orders database.</summary>
public sealed class PlaceOrderTests(TestSystem system) : IClassFixture<TestSystem>
{
    private readonly HttpClient _orders = system.Orders.CreateClient().As(Roles.Customer, "customer-1");

    [Fact]
    public async Task Places_an_order_and_answers_202_with_its_location()
    {
        var response = await _orders.PlaceOrderAsync(Requests.Order(), Requests.NewKey());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var placed = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        var orderId = placed!["orderId"]!.GetValue<Guid>();
        Assert.Equal("Placed", placed["status"]!.GetValue<string>());
        Assert.Equal($"/api/orders/{orderId}", response.Headers.Location!.OriginalString);

        var order = await _orders.GetFromJsonAsync<JsonObject>(response.Headers.Location, TestContext.Current.CancellationToken);
        Assert.Equal("customer-1", order!["customerId"]!.GetValue<string>());
        Assert.Equal(19.90m, order["total"]!.GetValue<decimal>());
        Assert.Equal("Placed", order["history"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(1, await system.ScalarAsync<int>("orders", $"SELECT count(*) FROM outbox_messages WHERE {SystemCalls.OrderPlacedRow}", new { Id = orderId.ToString() }));
    }

    [Fact]
    public async Task The_same_key_and_body_again_returns_the_same_order_and_creates_nothing()
    {
        var key = Requests.NewKey();
        var first = await (await _orders.PlaceOrderAsync(Requests.Order(), key)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        var again = await _orders.PlaceOrderAsync(Requests.Order(), key);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(first, await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var orderId = JsonNode.Parse(first)!["orderId"]!.GetValue<Guid>();
        Assert.Equal(1, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM orders WHERE customer_id = 'customer-1' AND order_id = @orderId", new { orderId }));
        Assert.Equal(1, await system.ScalarAsync<int>("orders", $"SELECT count(*) FROM outbox_messages WHERE {SystemCalls.OrderPlacedRow}", new { Id = orderId.ToString() }));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_place_one_order()
    {
        var key = Requests.NewKey();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _orders.PlaceOrderAsync(Requests.Order(customerId: key), key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var orderIds = await Task.WhenAll(responses.Select(async r =>
            (await r.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["orderId"]!.GetValue<Guid>()));
        Assert.Single(orderIds.Distinct());
        Assert.Equal(1, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM orders WHERE customer_id = @key", new { key }));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_422_and_creates_nothing()
    {
        var key = Requests.NewKey();
        await _orders.PlaceOrderAsync(Requests.Order(customerId: key), key);

        var response = await _orders.PlaceOrderAsync(Requests.Order(customerId: key, quantity: 3), key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM orders WHERE customer_id = @key", new { key }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ключ")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task A_missing_or_malformed_key_is_400_and_creates_nothing(string? key)
    {
        var customerId = Requests.NewKey();

        var response = await _orders.PlaceOrderAsync(Requests.Order(customerId: customerId), key);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Contains("Idempotency-Key", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM orders WHERE customer_id = @customerId", new { customerId }));
    }

    [Theory]
    [InlineData("customerId", null, "customerId")]
    [InlineData("customerId", "\"x'; DROP TABLE orders; --\"", "customerId")]
    [InlineData("currency", "\"ZZZ\"", "currency")]
    [InlineData("lines", "[]", "lines")]
    [InlineData("lines", "[{\"sku\":\"SKU-1\",\"quantity\":0,\"unitPrice\":1}]", "lines[0].quantity")]
    [InlineData("lines", "[{\"sku\":\"SKU-1\",\"quantity\":1000000,\"unitPrice\":1}]", "lines[0].quantity")]
    [InlineData("lines", "[{\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":-1}]", "lines[0].unitPrice")]
    [InlineData("lines", "[{\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":1.001}]", "lines[0].unitPrice")]
    [InlineData("lines", "[{\"quantity\":1,\"unitPrice\":1}]", "lines[0].sku")]
    [InlineData("lines", "[{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":1},{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":1}]", "lines[1].sku")]
    [InlineData("shippingAddress", null, "shippingAddress")]
    [InlineData("shippingAddress", "{\"line1\":\"1 George St\",\"city\":\"Sydney\",\"postalCode\":\"2000\",\"country\":\"Australia\"}", "shippingAddress.country")]
    [InlineData("shippingAddress", "{\"line1\":\"\",\"city\":\"Sydney\",\"postalCode\":\"2000\",\"country\":\"AU\"}", "shippingAddress.line1")]
    public async Task An_invalid_body_is_a_400_validation_problem_naming_the_field(string field, string? json, string error)
    {
        var customerId = Requests.NewKey();
        var body = Requests.Order(customerId: customerId);
        body[field] = json is null ? null : JsonNode.Parse(json);

        var response = await _orders.PlaceOrderAsync(body, Requests.NewKey());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        var errors = problem!["errors"]!.AsObject();
        Assert.Equal([error], errors.Select(e => e.Key));
        Assert.Equal(0, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM orders WHERE customer_id = @customerId", new { customerId }));
    }

    [Fact]
    public async Task Every_broken_rule_is_listed()
    {
        var body = JsonNode.Parse("""{"lines":[{"sku":"a b","quantity":0,"unitPrice":-1}],"shippingAddress":{}}""")!;

        var response = await _orders.PlaceOrderAsync(body, Requests.NewKey());

        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal(
            ["currency", "customerId", "lines[0].quantity", "lines[0].sku", "lines[0].unitPrice", "shippingAddress.city",
             "shippingAddress.country", "shippingAddress.line1", "shippingAddress.postalCode"],
            problem!["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("{\"customerId\": 5")]
    [InlineData("{\"customerId\":\"c\",\"lines\":[{\"sku\":\"A\",\"quantity\":\"two\",\"unitPrice\":1}]}")]
    [InlineData("not json")]
    public async Task A_body_that_is_not_the_expected_json_is_400(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = content };
        request.Headers.Add("Idempotency-Key", Requests.NewKey());

        var response = await _orders.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413_and_creates_nothing()
    {
        var before = await system.ScalarAsync<int>("orders", "SELECT count(*) FROM orders");
        var oversized = Requests.Order("SKU-1", quantity: 1);
        oversized["shippingAddress"]!["line1"] = new string('x', 70_000);
        using var content = new StringContent(oversized.ToJsonString(), Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = content };
        request.Headers.Add("Idempotency-Key", Requests.NewKey());

        var response = await _orders.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal("Request body too large", problem!["title"]!.GetValue<string>());
        Assert.Equal(before, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM orders"));
    }

    [Fact]
    public async Task An_unknown_order_is_404()
    {
        var response = await _orders.GetAsync(new Uri($"/api/orders/{Guid.NewGuid()}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
