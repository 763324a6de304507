using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace EcommerceEda.LoadTests.Target;

/// <summary>The broker's client connections, through its management API.</summary>
public static class BrokerConnections
{
    /// <summary>
    /// Closes every client connection, or those in <paramref name="virtualHost"/> only, as an operator can from the
    /// management UI; the clients see <paramref name="reason"/>. A connection that ended meanwhile is no error.
    /// </summary>
    public static async Task CloseAllAsync(HttpClient management, string? virtualHost, string reason, CancellationToken cancellationToken)
    {
        var scope = virtualHost is null ? "" : $"vhosts/{Uri.EscapeDataString(virtualHost)}/";
        var connections = await management.GetFromJsonAsync<JsonArray>($"{scope}connections?columns=name", cancellationToken);
        foreach (var name in connections!.OfType<JsonObject>().Select(connection => connection["name"]!.GetValue<string>()))
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, $"connections/{Uri.EscapeDataString(name)}");
            request.Headers.Add("X-Reason", reason);
            using var response = await management.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                response.EnsureSuccessStatusCode();
            }
        }
    }
}
