using System.Text.Json.Nodes;
using Dapper;
using EcommerceEda.AppHost.Infrastructure;
using EcommerceEda.Delivery.Features.Shipments;
using EcommerceEda.Messaging.Topology;
using EcommerceEda.Orders.Features.PlaceOrder;
using EcommerceEda.Support.Features.Timeline;
using EcommerceEda.Warehouse.Features.SetStock;
using MassTransit;
using Npgsql;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>
/// Orders, Warehouse and Support running against the shared broker and database server, in a virtual host
/// and databases of their own, so test classes running in parallel never see each other's messages.
/// </summary>
public class TestSystem(TestInfrastructure infrastructure) : IAsyncLifetime
{
    /// <summary>The four services' names, for a theory that runs once per service.</summary>
    public static TheoryData<string> ServiceNames => [.. BrokerAccount.ServiceNames];

    private readonly string _name = $"t{Guid.NewGuid():N}"[..13];
    private Task<IBusControl>? _ownersBus;

    public ServiceHost<PlaceOrderHandler> Orders { get; private set; } = null!;

    public ServiceHost<SetStockHandler> Warehouse { get; private set; } = null!;

    public ServiceHost<ShipOrderConsumer> Delivery { get; private set; } = null!;

    public ServiceHost<TimelineHandlers> Support { get; private set; } = null!;

    public TestInfrastructure Infrastructure => infrastructure;

    public async ValueTask InitializeAsync()
    {
        await infrastructure.CreateVirtualHostAsync(_name);
        await Task.WhenAll(BrokerAccount.ServiceNames.Select(service => infrastructure.CreateServiceDatabaseAsync(DatabaseName(service), service)));
        Orders = NewHost<PlaceOrderHandler>("orders");
        Warehouse = NewHost<SetStockHandler>("warehouse");
        Delivery = NewHost<ShipOrderConsumer>("delivery");
        Support = NewHost<TimelineHandlers>("support");
        await Task.WhenAll(
            WaitUntilHealthyAsync(Orders.CreateClient()),
            WaitUntilHealthyAsync(Warehouse.CreateClient()),
            WaitUntilHealthyAsync(Delivery.CreateClient()),
            WaitUntilHealthyAsync(Support.CreateClient()));
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownersBus is not null)
        {
            await (await _ownersBus).StopAsync(CancellationToken.None);
        }

        await Orders.DisposeAsync();
        await Warehouse.DisposeAsync();
        await Delivery.DisposeAsync();
        await Support.DisposeAsync();
        await infrastructure.DeleteVirtualHostAsync(_name);
        GC.SuppressFinalize(this);
    }

    /// <summary>Settings a fixture changes for its tests (a shorter pick SLA, say); applied to every service.</summary>
    protected virtual IReadOnlyDictionary<string, string?> SettingOverrides => new Dictionary<string, string?>();

    /// <summary>A client of one service, by its name, without a token.</summary>
    public HttpClient AnonymousClient(string service) => Host(service).CreateClient();

    /// <summary>One service's host, by its name.</summary>
    public IServiceHost Host(string service) => service switch
    {
        "orders" => Orders,
        "warehouse" => Warehouse,
        "delivery" => Delivery,
        "support" => Support,
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, "orders, warehouse, delivery or support"),
    };

    /// <summary>
    /// Another instance of <paramref name="service"/> on the same database and virtual host, as a second
    /// replica in production; it starts when first used.
    /// </summary>
    public ServiceHost<TEntryPoint> NewHost<TEntryPoint>(string service, Action<IServiceProvider>? built = null)
        where TEntryPoint : class => new(Settings(service), built);

    /// <summary>
    /// Publishes <paramref name="message"/> as its owning service would, when the test plays that service (stopped, or
    /// saying a thing twice): through a bus of the test's own, as the administrator, since a service's own user may
    /// publish only its own messages.
    /// </summary>
    public async Task PublishAsOwnerAsync<T>(T message, Action<PublishContext<T>>? configure = null)
        where T : class
    {
        _ownersBus ??= StartOwnersBusAsync();
        await (await _ownersBus).Publish(message, context => configure?.Invoke(context), TestContext.Current.CancellationToken);
    }

    private async Task<IBusControl> StartOwnersBusAsync()
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbitMq =>
        {
            rabbitMq.Host(new Uri(BrokerUri));
            rabbitMq.UseUrnEntityNames();
        });
        await bus.StartAsync(TestContext.Current.CancellationToken);
        return bus;
    }

    /// <summary>This system's virtual host.</summary>
    public string VirtualHost => _name;

    /// <summary>The administrator's broker URI of this system's virtual host.</summary>
    public string BrokerUri => infrastructure.BrokerUri(_name);

    /// <summary>The management API's view of one of this system's queues, or null when it does not exist.</summary>
    public Task<JsonObject?> QueueAsync(string queue) => infrastructure.QueueAsync(_name, queue);

    /// <summary>Messages in the dead-letter queue of <paramref name="queue"/> (0 when it was never created).</summary>
    public async Task<int> DeadLetterCountAsync(string queue) =>
        (int)await BrokerProbe.ReadyCountAsync(BrokerUri, $"{queue}_error");

    /// <summary>
    /// Messages MassTransit moved to <c>{queue}_skipped</c> because it saw no consumer take them: a message a
    /// filter drops on purpose (a duplicate, a pattern that does not match) must not end there.
    /// </summary>
    public async Task<int> SkippedCountAsync(string queue) =>
        (int)await BrokerProbe.ReadyCountAsync(BrokerUri, $"{queue}_skipped");

    /// <summary>The superuser's connection string of one service's database, to look at what it stored.</summary>
    public string Database(string service) => infrastructure.DatabaseConnectionString(DatabaseName(service));

    /// <summary>The connection string of one service's database as <paramref name="role"/> (a service's) sees it.</summary>
    public string DatabaseAs(string service, string role) => infrastructure.ServiceDatabaseConnectionString(DatabaseName(service), role);

    private string DatabaseName(string service) => $"{service}_{_name}";

    /// <summary>Runs a scalar query on one service's database.</summary>
    public async Task<T?> ScalarAsync<T>(string service, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(Database(service));
        return await connection.ExecuteScalarAsync<T>(sql, parameters);
    }

    /// <summary>Waits until every check of <c>/health</c> passes: the database is migrated and the bus is connected.</summary>
    public static async Task WaitUntilHealthyAsync(HttpClient client) =>
        await Eventually.Until(
            async () => (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode,
            status => status == System.Net.HttpStatusCode.OK,
            TimeSpan.FromSeconds(60));

    private Dictionary<string, string?> Settings(string service)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{service}-db"] = DatabaseAs(service, role: service),
            ["ConnectionStrings:rabbitmq"] = infrastructure.ServiceBrokerUri(_name, service),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Messaging:Relay:MaxRetryDelay"] = "00:00:01",
            ["Messaging:Relay:PollInterval"] = "00:00:01",
            ["Messaging:Relay:CleanupInterval"] = "00:00:00.200",
            ["Messaging:Retry:MaxBackoff"] = "00:00:00.500",
            ["Messaging:Monitoring:Interval"] = "00:00:00.200",
            ["Messaging:Management:Url"] = $"http://127.0.0.1:{infrastructure.RabbitMq.Ports.Management}",
            ["Api:RateLimit:PermitsPerSecond"] = "0", // tests place orders for one customer at once; RateLimitTests limits them
        };
        foreach (var (key, value) in TestTokens.ValidationSettings.Concat(SettingOverrides))
        {
            settings[key] = value;
        }

        return settings;
    }
}
