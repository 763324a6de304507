namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>
/// A service's own RabbitMQ user and what it may do. RabbitMQ grants three regular expressions over the names of
/// exchanges and queues — configure (declare, delete), write (publish to an exchange, bind into a queue or
/// exchange), read (consume from a queue, bind from an exchange) — per virtual host
/// (https://www.rabbitmq.com/docs/access-control). The names the messaging building block gives make them short:
/// <list type="bullet">
/// <item>its queues, their <c>_error</c> and <c>_skipped</c> queues and the exchange MassTransit puts in front of
/// each are <c>{service}-…</c>: all of it;</item>
/// <item>the messages it owns are named by their URN, <c>{service}:{message}:v{n}</c>: it may publish them, and no
/// other service may;</item>
/// <item>any message exchange: declare it and read from it, to bind a queue to an event it subscribes to (any
/// service may subscribe to any event), never publish to it;</item>
/// <item>the commands it sends, each the exchange in front of its owner's queue (<c>warehouse-reserve-stock</c>):
/// declare and publish, never read;</item>
/// <item><c>events</c>, the exchange every event is bound to and the stream bound to it: every relay declares and
/// binds them before it publishes, and a stream reader reads the stream. The stream holds every event, which any
/// service may see anyway.</item>
/// </list>
/// </summary>
/// <param name="Service">The service, and its user's name.</param>
/// <param name="Sends">The command exchanges it sends to.</param>
public sealed record BrokerAccount(string Service, IReadOnlyList<string> Sends)
{
    private const string AnyMessage = "[a-z]+:[a-z0-9-]+:v[0-9]+";
    private const string EventStream = "events";

    /// <summary>The services' accounts: only Orders sends commands (its saga's), the others publish events.</summary>
    public static IReadOnlyList<BrokerAccount> Services { get; } =
    [
        new("orders", ["warehouse-reserve-stock", "warehouse-pick-order", "warehouse-release-stock", "delivery-ship-order"]),
        new("warehouse", []),
        new("delivery", []),
        new("support", []),
    ];

    /// <summary>The services' names (each also its user's, its database's and its AppHost resource's), in the same order.</summary>
    public static IReadOnlyList<string> ServiceNames { get; } = [.. Services.Select(account => account.Service)];

    /// <summary>The account of <paramref name="service"/>.</summary>
    public static BrokerAccount For(string service) =>
        Services.SingleOrDefault(account => account.Service == service)
        ?? throw new ArgumentException($"No broker account for the service '{service}'.", nameof(service));

    public string User => Service;

    /// <summary>Names it may declare and delete.</summary>
    public string Configure => Anchored([OwnNames, OwnMessages, AnyMessage, EventStream, .. Sends]);

    /// <summary>Exchanges it may publish to, and queues and exchanges it may bind into.</summary>
    public string Write => Anchored([OwnNames, OwnMessages, EventStream, .. Sends]);

    /// <summary>Queues it may consume, and exchanges it may bind from.</summary>
    public string Read => Anchored([OwnNames, AnyMessage, EventStream]);

    private string OwnNames => $"{Service}-.*";

    private string OwnMessages => $"{Service}:.*";

    private static string Anchored(IEnumerable<string> alternatives) => $"^({string.Join('|', alternatives)})$";
}
