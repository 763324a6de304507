using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using EcommerceEda.Messaging.Subscriptions;
using EcommerceEda.Messaging.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace EcommerceEda.Messaging.Operations;

/// <summary>One of the service's queues as <c>GET /ops/queues</c> shows it.</summary>
/// <param name="Name">The work queue.</param>
/// <param name="Type">The queue type (<c>quorum</c>).</param>
/// <param name="DeadLetterQueue">Where its failures go.</param>
/// <param name="DeliveryLimit">Returns before RabbitMQ dead-letters a message itself.</param>
/// <param name="Ready">Messages waiting.</param>
/// <param name="Unacknowledged">Messages delivered and being processed.</param>
/// <param name="DeadLetters">Messages in the dead-letter queue.</param>
public sealed record QueueReport(
    string Name, string? Type, string DeadLetterQueue, int? DeliveryLimit, long Ready, long Unacknowledged, long DeadLetters);

/// <summary>
/// Reads queue statistics from RabbitMQ's management API (<c>Messaging:Management:Url</c>), with the
/// service's own broker credentials.
/// </summary>
internal sealed class QueueStatistics(HttpClient http, SubscriptionRegistry subscriptions, IConfiguration configuration)
{
    public async Task<IReadOnlyList<QueueReport>> ReportAsync(CancellationToken cancellationToken)
    {
        var broker = BrokerAddress.Parse(configuration.GetConnectionString(MessagingExtensions.BrokerConnectionName)!);
        var management = configuration["Messaging:Management:Url"]
            ?? throw new InvalidOperationException("Messaging:Management:Url (the RabbitMQ management API) is not configured.");
        http.BaseAddress = new Uri($"{management.TrimEnd('/')}/api/");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{broker.User}:{broker.Password}")));

        var reports = new List<QueueReport>();
        foreach (var subscription in subscriptions.All.OrderBy(s => s.Queue, StringComparer.Ordinal))
        {
            var queue = await GetAsync(broker.VirtualHost, subscription.Queue, cancellationToken);
            var deadLetterQueue = QueueTopology.DeadLetterQueue(subscription.Queue);
            var deadLetters = await GetAsync(broker.VirtualHost, deadLetterQueue, cancellationToken);
            reports.Add(new QueueReport(
                subscription.Queue,
                queue?["type"]?.GetValue<string>(),
                deadLetterQueue,
                queue?["arguments"]?["x-delivery-limit"]?.GetValue<int>(),
                Count(queue, "messages_ready"),
                Count(queue, "messages_unacknowledged"),
                Count(deadLetters, "messages")));
        }

        return reports;
    }

    private async Task<JsonObject?> GetAsync(string virtualHost, string queue, CancellationToken cancellationToken)
    {
        var response = await http.GetAsync(
            new Uri($"queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}", UriKind.Relative), cancellationToken);
        return response.StatusCode == System.Net.HttpStatusCode.NotFound
            ? null
            : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
    }

    private static long Count(JsonObject? queue, string field) => queue?[field]?.GetValue<long>() ?? 0;
}
