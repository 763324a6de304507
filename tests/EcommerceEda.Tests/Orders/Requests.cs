using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.Orders;

/// <summary>Valid order bodies to start from, and the calls the tests make.</summary>
public static class Requests
{
    public static JsonObject Order(string sku = "SKU-1", int quantity = 2, string customerId = "customer-1") => new()
    {
        ["customerId"] = customerId,
        ["currency"] = "AUD",
        ["lines"] = new JsonArray(new JsonObject { ["sku"] = sku, ["quantity"] = quantity, ["unitPrice"] = 9.95m }),
        ["shippingAddress"] = new JsonObject
        {
            ["line1"] = "1 George St",
            ["city"] = "Sydney",
            ["postalCode"] = "2000",
            ["country"] = "AU",
        },
    };

    /// <summary>
    /// Posts an order as the customer the body names (its <c>customerId</c>, when it is a string), so that what the
    /// test checks is the body, not who sends it.
    /// </summary>
    public static Task<HttpResponseMessage> PlaceOrderAsync(
        this HttpClient orders, JsonNode body, string? idempotencyKey, string? signingKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(body) };
        var customer = body is JsonObject { } order && order["customerId"] is JsonValue id && id.TryGetValue<string>(out var named)
            ? named
            : "customer-1";
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(Roles.Customer, customer, signingKey));

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return orders.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static string NewKey() => Guid.NewGuid().ToString("N");
}
