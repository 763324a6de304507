using System.Net.Http.Json;
using System.Text.Json.Nodes;

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

    public static Task<HttpResponseMessage> PlaceOrderAsync(this HttpClient orders, JsonNode body, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return orders.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static string NewKey() => Guid.NewGuid().ToString("N");
}
