using System.Text.Json;

namespace EcommerceEda.Orders;

/// <summary>The JSON of the order's <c>jsonb</c> columns: camelCase, like the API and the events.</summary>
internal static class OrderJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}
