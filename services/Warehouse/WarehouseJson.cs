using System.Text.Json;

namespace EcommerceEda.Warehouse;

/// <summary>The JSON of Warehouse's <c>jsonb</c> columns: camelCase, like the API and the events.</summary>
internal static class WarehouseJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}
