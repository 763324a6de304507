using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using EcommerceEda.AppHost.Infrastructure;
using EcommerceEda.AppHost.Security;
using EcommerceEda.ServiceDefaults.Security;
using Npgsql;

namespace EcommerceEda.LoadTests.Target;

/// <summary>How a part of the system is stopped.</summary>
public enum StopMode
{
    /// <summary>SIGTERM to its process: it finishes what it holds and exits, as an operator stops it.</summary>
    Graceful,

    /// <summary>SIGKILL to its process and every process it started (<c>kill -9</c>): a crash, a lost machine.</summary>
    Kill,

    /// <summary>SIGQUIT to its process: PostgreSQL's immediate shutdown, with crash recovery on the next start.</summary>
    Immediate,
}

/// <summary>
/// Stops and starts the parts of the system: the services (orders, warehouse, delivery, support), the broker
/// (rabbitmq) and the database server (postgres). The drain and fault scenarios need it.
/// </summary>
public interface IServiceControl
{
    /// <summary>Stops <paramref name="resource"/> the way <paramref name="mode"/> says and waits until it has ended.</summary>
    Task StopAsync(string resource, StopMode mode, CancellationToken cancellationToken);

    /// <summary>Starts <paramref name="resource"/> again and waits until it reports healthy.</summary>
    Task StartAsync(string resource, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until <paramref name="resource"/> has ended by itself (a crash the fault suite armed): its process within
    /// <paramref name="timeout"/>, then as the orchestrator sees it.
    /// </summary>
    Task WaitForExitAsync(string resource, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>A client of <paramref name="service"/>'s API that carries an operator's token, for <c>/ops</c>.</summary>
    HttpClient Operations(string service);

    /// <summary>The resource that runs the RabbitMQ node called <paramref name="node"/> (as the management API names it).</summary>
    string BrokerResource(string node);
}

/// <summary>
/// What a load test drives and reads: the Orders and Warehouse APIs, the PostgreSQL server that holds the
/// services' databases, and the RabbitMQ broker with its management API. It signs its own tokens with the key the
/// services accept: warehouse staff for the Warehouse API, a customer for each order it places.
/// </summary>
public sealed class SystemUnderTest : IAsyncDisposable
{
    /// <summary>The services' databases, one each named after its service, on the same server.</summary>
    public static IReadOnlyList<string> Databases => BrokerAccount.ServiceNames;

    private readonly IAsyncDisposable? _owner;

    /// <summary>Describes a system at the given addresses; <paramref name="owner"/> is disposed with it.</summary>
    public SystemUnderTest(
        Uri orders,
        Uri warehouse,
        string postgres,
        Uri broker,
        Uri management,
        string signingKey,
        IServiceControl? control,
        IAsyncDisposable? owner)
    {
        SigningKey = signingKey;
        Orders = CreateClient(orders);
        Warehouse = CreateClient(warehouse);
        Warehouse.DefaultRequestHeaders.Authorization = Bearer(Roles.Warehouse, "load-tests");
        Postgres = postgres;
        Broker = broker;
        Control = control;
        _owner = owner;
        var credentials = Uri.UnescapeDataString(broker.UserInfo);
        Management = new HttpClient { BaseAddress = new Uri(management, "/api/") };
        Management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
    }

    /// <summary>The key the services' tokens are signed with.</summary>
    public string SigningKey { get; }

    /// <summary>An Authorization header with a token of <paramref name="subject"/> in <paramref name="role"/>, valid for a day.</summary>
    public AuthenticationHeaderValue Bearer(string role, string subject) =>
        new("Bearer", DevelopmentTokens.Create(SigningKey, subject, [role], TimeSpan.FromDays(1)));

    /// <summary>The Orders API; each request carries its customer's token.</summary>
    public HttpClient Orders { get; }

    /// <summary>The Warehouse API, as warehouse staff.</summary>
    public HttpClient Warehouse { get; }

    /// <summary>The PostgreSQL server, as a superuser, on its maintenance database.</summary>
    public string Postgres { get; }

    /// <summary>The broker's AMQP address with credentials.</summary>
    public Uri Broker { get; }

    /// <summary>The broker's management API, authenticated.</summary>
    public HttpClient Management { get; }

    /// <summary>The broker's virtual host the services use.</summary>
    public string VirtualHost => Broker.AbsolutePath.Trim('/') is { Length: > 0 } path ? Uri.UnescapeDataString(path) : "/";

    /// <summary>Stops and starts services, when the harness started the system itself.</summary>
    public IServiceControl? Control { get; }

    /// <summary>Every queue and stream of the services' virtual host, with the management API's <paramref name="columns"/>.</summary>
    public async Task<JsonArray> QueuesAsync(string columns, CancellationToken cancellationToken) =>
        await Management.GetFromJsonAsync<JsonArray>($"queues/{Uri.EscapeDataString(VirtualHost)}?columns={columns}", cancellationToken)
            ?? throw new InvalidOperationException("The broker's management API listed no queues.");

    /// <summary>A connection string to one of the services' databases.</summary>
    public string Database(string name) => new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ConnectionString;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Orders.Dispose();
        Warehouse.Dispose();
        Management.Dispose();
        if (_owner is not null)
        {
            await _owner.DisposeAsync();
        }
    }

    // No retries and no resilience pipeline: a load test measures every request as it went.
    private static HttpClient CreateClient(Uri address) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 512,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        BaseAddress = address,
        Timeout = TimeSpan.FromSeconds(30),
    };
}
