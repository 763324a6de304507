using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using EcommerceEda.AppHost.Infrastructure;
using EcommerceEda.AppHost.Security;
using EcommerceEda.ServiceDefaults.Security;
using Microsoft.Extensions.DependencyInjection;

namespace EcommerceEda.LoadTests.Target;

/// <summary>
/// The whole system as <c>./eng/run.sh</c> starts it, in Local infrastructure mode, beside any system already
/// running: its own RabbitMQ and PostgreSQL on free ports with their data in a temporary folder, the four
/// services, and generated passwords. No dashboard runs, so the services export no telemetry.
/// </summary>
public sealed class LocalAppHost : IAsyncDisposable, IServiceControl
{
    /// <summary>The services, as the AppHost names them.</summary>
    public static IReadOnlyList<string> Services => BrokerAccount.ServiceNames;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan OrchestratorLag = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ExitPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The start of the name of each system's data folder (see <see cref="DataFolders"/>).</summary>
    public const string DataFolderPrefix = "ecommerce-eda-run-";

    private readonly ResourceLogFiles? _logs;

    private LocalAppHost(DistributedApplication app, string dataPath, string signingKey, ResourceLogFiles? logs)
    {
        App = app;
        DataPath = dataPath;
        SigningKey = signingKey;
        _logs = logs;
    }

    /// <summary>Where the broker and the database keep their data: a temporary folder, removed when the AppHost stops.</summary>
    public string DataPath { get; }

    /// <summary>The key the services' tokens are signed with, generated for this run.</summary>
    public string SigningKey { get; }

    /// <summary>The running AppHost.</summary>
    public DistributedApplication App { get; }

    /// <summary>
    /// Starts the AppHost with <paramref name="settings"/> added to its command line (<c>--Key=Value</c>) and
    /// <paramref name="rabbitMqNodes"/> RabbitMQ nodes (more than one: a cluster), and waits until every service
    /// reports healthy. With <paramref name="logs"/>, what each service, the broker and the database server log
    /// goes to <c>&lt;resource&gt;.log</c> there from the start (a failed start included) until the AppHost stops,
    /// across their restarts.
    /// </summary>
    public static async Task<LocalAppHost> StartAsync(
        IEnumerable<string> settings, int rabbitMqNodes, string? logs, CancellationToken cancellationToken)
    {
        var dataPath = DataFolders.NewPath(DataFolderPrefix);
        var ports = FreePorts(rabbitMqNodes);
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        string[] arguments =
        [
            "--Infrastructure:Mode=Local",
            $"--Infrastructure:Local:DataPath={dataPath}",
            $"--Infrastructure:Local:PostgresPort={ports[0]}",
            $"--Infrastructure:Local:RabbitMqPort={ports[1]}",
            $"--Infrastructure:Local:RabbitMqManagementPort={ports[2]}",
            $"--Infrastructure:Local:RabbitMqStreamPort={ports[3]}",
            $"--Infrastructure:Local:RabbitMqDistributionPort={ports[4]}",
            $"--Infrastructure:Local:RabbitMqPrometheusPort={ports[5]}",
            $"--Infrastructure:Local:RabbitMqNodes={rabbitMqNodes}",
            .. Passwords(["postgres", "rabbitmq", .. Services.SelectMany(service => new[] { $"postgres-{service}", $"rabbitmq-{service}" })]),
            $"--{DevelopmentTokens.SigningKeyConfiguration}={signingKey}",
            "--Telemetry:Export=false", // the testing builder runs no dashboard: exporters would only time out
            "--Api:RateLimit:PermitsPerSecond=0", // one customer places every order of a run
            .. settings,
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(arguments, cancellationToken);
        var logFiles = logs is null ? null : new ResourceLogFiles(logs);
        if (logFiles is not null)
        {
            builder.Eventing.Subscribe<BeforeResourceStartedEvent>((starting, _) =>
            {
                if (IsProcess(starting.Resource))
                {
                    logFiles.Keep(starting.Resource, starting.Services.GetRequiredService<ResourceLoggerService>());
                }

                return Task.CompletedTask;
            });
        }

        var app = await builder.BuildAsync(cancellationToken);
        var host = new LocalAppHost(app, dataPath, signingKey, logFiles);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await app.StartAsync(timeout.Token);
            await Task.WhenAll(Services.Select(service => app.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token)));
            return host;
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            var states = host.States();
            await host.DisposeAsync();
            throw new InvalidOperationException($"The system did not start within {StartTimeout}: {states}.", exception);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    // Each process's state as the orchestrator shows it, and its health once it runs: "rabbitmq-3 Exited, orders Waiting, ...".
    private string States() => string.Join(", ", App.Services.GetRequiredService<DistributedApplicationModel>().Resources
        .Where(IsProcess)
        .Select(resource => App.ResourceNotifications.TryGetCurrentState(resource.Name, out var current)
            ? $"{resource.Name} {current.Snapshot.State?.Text ?? "not started"}{(current.Snapshot.HealthStatus is { } health ? $" ({health})" : "")}"
            : $"{resource.Name} unknown"));

    // The processes of the system: the services, the broker's nodes and the database server.
    private static bool IsProcess(IResource resource) => resource is ProjectResource or LocalRabbitMqResource or LocalPostgresResource;

    // Given, so that no generated password is written to the AppHost's user secrets.
    private static IEnumerable<string> Passwords(IEnumerable<string> owners) =>
        owners.Select(owner => $"--Parameters:{owner}-password={Guid.NewGuid():N}");

    // PostgreSQL's port and the first RabbitMQ node's five; node n takes the first node's plus 10·n (the AppHost's rule).
    private static int[] FreePorts(int rabbitMqNodes)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = LocalPorts.Free(6);
            var cluster = Enumerable.Range(1, rabbitMqNodes - 1).SelectMany(n => ports[1..].Select(port => port + (10 * n)));
            if (LocalPorts.AreFree([.. ports, .. cluster]) || attempt == 20) // held together: a cluster port may be one of the six
            {
                return ports;
            }
        }
    }

    /// <summary>The system as a load test sees it; disposing it stops the AppHost when <paramref name="owned"/>.</summary>
    public async Task<SystemUnderTest> AsSystemUnderTestAsync(bool owned, CancellationToken cancellationToken) => new(
        App.GetEndpoint("orders", "http"),
        App.GetEndpoint("warehouse", "http"),
        await App.GetConnectionStringAsync("postgres", cancellationToken)
            ?? throw new InvalidOperationException("The AppHost gave no connection string for postgres."),
        new Uri(await App.GetConnectionStringAsync("rabbitmq", cancellationToken)
            ?? throw new InvalidOperationException("The AppHost gave no connection string for rabbitmq.")),
        App.GetEndpoint("rabbitmq", "management"),
        SigningKey,
        control: this,
        owner: owned ? this : null);

    /// <summary>
    /// Stops <paramref name="resource"/> by signalling its process itself: the orchestrator's own stop command
    /// gives up after 10 s, which a service under load may need, and it knows no kill -9. The orchestrator sees
    /// the process end.
    /// </summary>
    public async Task StopAsync(string resource, StopMode mode, CancellationToken cancellationToken)
    {
        var pid = ProcessId(resource);
        if (mode is StopMode.Kill)
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true); // RabbitMQ's script runs the Erlang VM as a child
        }
        else
        {
            await SignalAsync(pid, mode is StopMode.Graceful ? "TERM" : "QUIT", resource, cancellationToken);
        }

        await WaitForExitAsync(resource, pid, StopTimeout, cancellationToken);
    }

    /// <inheritdoc />
    public Task WaitForExitAsync(string resource, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForExitAsync(resource, ProcessId(resource), timeout, cancellationToken);

    // The process must end within the timeout; the orchestrator may take a while longer to notice (a known lag).
    private async Task WaitForExitAsync(string resource, int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (!DataFolders.HasEnded(pid))
            {
                await Task.Delay(ExitPollInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"{resource} (process {pid}) did not end within {timeout}.", exception);
        }

        deadline.CancelAfter(OrchestratorLag);
        try
        {
            await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, deadline.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"{resource} (process {pid}) ended, but the orchestrator did not show it ended within {OrchestratorLag}.", exception);
        }
    }

    private int ProcessId(string resource)
    {
        var state = App.ResourceNotifications.TryGetCurrentState(resource, out var current) ? current.Snapshot : null;
        return state?.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
            ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"The orchestrator shows no process for {resource}.");
    }

    private static async Task SignalAsync(int pid, string signal, string resource, CancellationToken cancellationToken)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(cancellationToken);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"Could not send SIG{signal} to {resource} (process {pid}).");
        }
    }

    /// <inheritdoc />
    public async Task StartAsync(string resource, CancellationToken cancellationToken)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);
        if (!result.Success)
        {
            throw new InvalidOperationException($"Starting {resource} failed: {result.Message}");
        }

        // For a moment the orchestrator may still show the process that ended, and a wait for health stops at an
        // ended resource: wait until the new process runs first.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.Running, timeout.Token);
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"{resource} was started but did not report healthy within {StartTimeout}.", exception);
        }
    }

    /// <inheritdoc />
    public string BrokerResource(string node) =>
        App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<LocalRabbitMqResource>()
            .FirstOrDefault(resource => LocalRabbitMq.NodeName(resource.Node.Ports) == node)?.Name
            ?? throw new InvalidOperationException($"No RabbitMQ node of this system is called {node}.");

    /// <inheritdoc />
    public HttpClient Operations(string service)
    {
        var client = App.CreateHttpClient(service, "http");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", DevelopmentTokens.Create(SigningKey, "load-tests", [Roles.Operator], TimeSpan.FromDays(1)));
        return client;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (_logs is not null)
        {
            await _logs.DisposeAsync();
        }
        if (Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
