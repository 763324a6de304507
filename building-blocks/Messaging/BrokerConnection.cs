using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace EcommerceEda.Messaging;

/// <summary>
/// How a service reaches RabbitMQ: the connection string <c>rabbitmq</c> (an <c>amqp://</c> URI with the
/// credentials, the virtual host and a node) and, for a cluster, its other nodes in <c>Messaging:Broker:Nodes</c>
/// (<c>host:port</c>, comma-separated). Connections go to a node that answers, and to another when theirs is lost.
/// </summary>
internal static class BrokerConnection
{
    private const int AmqpPort = 5672; // the URI's when it names none

    /// <summary>The connection string.</summary>
    public static Uri Uri(IConfiguration configuration) =>
        new(configuration.GetConnectionString(MessagingExtensions.BrokerConnectionName)
            ?? throw new InvalidOperationException(
                $"Connection string '{MessagingExtensions.BrokerConnectionName}' is missing: run the service through the AppHost or set ConnectionStrings__{MessagingExtensions.BrokerConnectionName}."));

    /// <summary>Every node as <c>host:port</c>, the connection string's first.</summary>
    public static IReadOnlyList<string> Nodes(IConfiguration configuration)
    {
        var uri = Uri(configuration);
        var first = string.Create(CultureInfo.InvariantCulture, $"{uri.Host}:{(uri.Port > 0 ? uri.Port : AmqpPort)}");
        var others = configuration["Messaging:Broker:Nodes"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        return [first, .. others.Where(node => node != first)];
    }

    /// <summary>A connection of the RabbitMQ client (outside MassTransit), named <paramref name="clientName"/> in the broker.</summary>
    public static async Task<IConnection> ConnectAsync(IConfiguration configuration, string clientName, CancellationToken cancellationToken) =>
        await new ConnectionFactory { Uri = Uri(configuration), ClientProvidedName = clientName }
            .CreateConnectionAsync(Nodes(configuration).Select(AmqpTcpEndpoint.Parse).ToList(), cancellationToken);
}
