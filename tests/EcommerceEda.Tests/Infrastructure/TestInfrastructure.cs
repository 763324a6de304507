using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using EcommerceEda.AppHost.Infrastructure;
using EcommerceEda.LoadTests.Target;
using EcommerceEda.Tests.Infrastructure;
using Npgsql;

[assembly: AssemblyFixture(typeof(TestInfrastructure))]

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL server and one real RabbitMQ node for the whole test run, started from the
/// machine's binaries with the AppHost's own local-infrastructure code, on free ports, with their data
/// in a temporary folder. Test classes isolate themselves with a virtual host and databases of their own. A run
/// killed before it stopped them leaves them running: the next run stops them and removes their folder.
/// </summary>
public sealed class TestInfrastructure : IAsyncLifetime
{
    public const string BrokerUser = "eda";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private const string DataFolderPrefix = "ecommerce-eda-tests-";

    private readonly string _dataPath = DataFolders.NewPath(DataFolderPrefix);
    private readonly string _postgresPassword = Guid.NewGuid().ToString("N");
    private readonly string _brokerPassword = Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, string> _rolePasswords =
        BrokerAccount.Services.ToDictionary(account => account.Service, _ => Guid.NewGuid().ToString("N"));
    private readonly BrokerLogin[] _serviceLogins =
        [.. BrokerAccount.Services.Select(account => new BrokerLogin(account, Guid.NewGuid().ToString("N")))];
    private ServerProcess? _postgresProcess;
    private ServerProcess? _rabbitMqProcess;

    public LocalPostgres Postgres { get; private set; } = null!;

    public LocalRabbitMq RabbitMq { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        // A killed run's servers and data, and the systems its end-to-end tests started (which the orchestrator stops).
        foreach (var prefix in new[] { DataFolderPrefix, LocalAppHost.DataFolderPrefix })
        {
            await DataFolders.RemoveAbandonedAsync(prefix);
        }

        var ports = LocalPorts.Free(6);
        Postgres = LocalPostgres.Locate(_dataPath, ports[0]);
        RabbitMq = LocalRabbitMq.Locate(_dataPath, [new RabbitMqPorts(ports[1], ports[2], ports[3], ports[4], ports[5])])[0];
        await Task.WhenAll(StartPostgresAsync(), StartRabbitMqAsync());
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Task.WhenAll(StopAsync(_rabbitMqProcess), StopAsync(_postgresProcess));
        Directory.Delete(_dataPath, recursive: true);
    }

    /// <summary>The superuser's connection string of <paramref name="database"/>, for tests to look at what a service stored.</summary>
    public string DatabaseConnectionString(string database) => Postgres.ConnectionString(_postgresPassword, database);

    /// <summary>The connection string of <paramref name="database"/> as <paramref name="service"/>'s own role.</summary>
    public string ServiceDatabaseConnectionString(string database, string service) =>
        new NpgsqlConnectionStringBuilder(DatabaseConnectionString(database)) { Username = service, Password = _rolePasswords[service] }
            .ConnectionString;

    /// <summary>Creates <paramref name="database"/> owned by <paramref name="service"/>'s role, as the AppHost provisions it.</summary>
    public async Task CreateServiceDatabaseAsync(string database, string service)
    {
        await using var superuser = new NpgsqlConnection(DatabaseConnectionString("postgres"));
        await superuser.OpenAsync();
        await ServiceDatabases.EnsureDatabaseAsync(superuser, database, owner: service, CancellationToken.None);
    }

    /// <summary>The administrator's broker URI of <paramref name="virtualHost"/>.</summary>
    public string BrokerUri(string virtualHost) =>
        $"{RabbitMq.ConnectionString(BrokerUser, _brokerPassword)}/{Uri.EscapeDataString(virtualHost)}";

    /// <summary>The broker URI of <paramref name="virtualHost"/> as <paramref name="service"/>'s own user.</summary>
    public string ServiceBrokerUri(string virtualHost, string service)
    {
        var login = _serviceLogins.Single(login => login.Account.Service == service);
        return $"{RabbitMq.ConnectionString(login.Account.User, login.Password)}/{Uri.EscapeDataString(virtualHost)}";
    }

    /// <summary>
    /// Creates a virtual host on the broker, through its management API, for one test class, with the permissions
    /// of the administrator and of each service's user as the AppHost grants them.
    /// </summary>
    public async Task CreateVirtualHostAsync(string name)
    {
        using var management = ManagementClient();
        var vhost = Uri.EscapeDataString(name);
        (await management.PutAsJsonAsync($"vhosts/{vhost}", new { })).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync(
            $"permissions/{vhost}/{BrokerUser}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        foreach (var account in BrokerAccount.Services)
        {
            (await management.PutAsJsonAsync(
                $"permissions/{vhost}/{account.User}",
                new { configure = account.Configure, write = account.Write, read = account.Read })).EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// Deletes a test class's virtual host with its queues and streams, so the broker holds only what running
    /// classes use: a restart (as BrokerOutageTests does) recovers every queue it holds before it serves them.
    /// </summary>
    public async Task DeleteVirtualHostAsync(string name)
    {
        using var management = ManagementClient();
        var response = await management.DeleteAsync($"vhosts/{Uri.EscapeDataString(name)}");
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>The management API's view of a queue (type, arguments, counts), or null when it does not exist.</summary>
    public async Task<JsonObject?> QueueAsync(string virtualHost, string queue)
    {
        using var management = ManagementClient();
        var response = await management.GetAsync($"queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}");
        return response.StatusCode == HttpStatusCode.NotFound
            ? null
            : await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
    }

    /// <summary>
    /// The state of each client connection in <paramref name="virtualHost"/> (<c>running</c>, <c>blocked</c>, ...).
    /// A connection whose state the broker has not sampled yet is left out: it lists it as an empty array.
    /// </summary>
    public async Task<IReadOnlyList<string>> ConnectionStatesAsync(string virtualHost)
    {
        using var management = ManagementClient();
        var connections = await management.GetFromJsonAsync<JsonArray>($"vhosts/{Uri.EscapeDataString(virtualHost)}/connections?columns=state");
        return [.. connections!.Select(connection => (connection as JsonObject)?["state"]?.GetValue<string>()).OfType<string>()];
    }

    /// <summary>Closes every client connection in <paramref name="virtualHost"/>, as an operator can from the management UI.</summary>
    public async Task CloseConnectionsAsync(string virtualHost)
    {
        using var management = ManagementClient();
        await BrokerConnections.CloseAllAsync(management, virtualHost, "test: every connection closed", CancellationToken.None);
    }

    /// <summary>
    /// Raises or clears the broker's memory alarm. While it is raised the broker stops reading from every connection
    /// that publishes, so publishes wait for confirms; it is broker-wide, for tests that run alone.
    /// </summary>
    public Task SetMemoryAlarmAsync(bool raised) =>
        RabbitMq.CtlAsync(["set_vm_memory_high_watermark", raised ? "0" : "0.4"], CancellationToken.None); // 0.4: RabbitMQ's default

    private HttpClient ManagementClient()
    {
        var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{RabbitMq.Ports.Management}/api/") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BrokerUser}:{_brokerPassword}")));
        return management;
    }

    /// <summary>Stops the broker as an orchestrator would (SIGTERM); its queues and messages stay on disk.</summary>
    public Task StopRabbitMqAsync() => StopAsync(_rabbitMqProcess);

    /// <summary>Starts the broker (again) and waits until it accepts connections.</summary>
    public async Task StartRabbitMqAsync()
    {
        await RabbitMq.PrepareAsync(BrokerUser, _brokerPassword, _serviceLogins, CancellationToken.None);
        _rabbitMqProcess = ServerProcess.Start(RabbitMq.Command, [], "TERM", RabbitMq.Environment);
        await WaitUntilReadyAsync("RabbitMQ", _rabbitMqProcess, ct => RabbitMq.IsReadyAsync(BrokerUser, _brokerPassword, ct));
    }

    private async Task StartPostgresAsync()
    {
        await Postgres.PrepareAsync(_postgresPassword, CancellationToken.None);
        _postgresProcess = ServerProcess.Start(Postgres.Command, Postgres.Arguments, "INT");
        await WaitUntilReadyAsync("PostgreSQL", _postgresProcess, ct => Postgres.IsReadyAsync(_postgresPassword, ct));
        await using var superuser = new NpgsqlConnection(DatabaseConnectionString("postgres"));
        await superuser.OpenAsync();
        foreach (var (role, password) in _rolePasswords)
        {
            await ServiceDatabases.EnsureRoleAsync(superuser, role, password, CancellationToken.None);
        }
    }

    private static async Task WaitUntilReadyAsync(string name, ServerProcess process, Func<CancellationToken, Task<bool>> isReady)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await isReady(CancellationToken.None))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{name} did not start:{Environment.NewLine}{process.Output}");
            }

            await Task.Delay(200, CancellationToken.None);
        }
    }

    private static Task StopAsync(ServerProcess? process) => process?.StopAsync(process.StopSignal) ?? Task.CompletedTask;
}
