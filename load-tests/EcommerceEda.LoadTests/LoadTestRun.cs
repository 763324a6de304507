using System.Globalization;
using System.Runtime.InteropServices;
using EcommerceEda.LoadTests.Baselines;
using EcommerceEda.LoadTests.Faults;
using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Reports;
using EcommerceEda.LoadTests.Scenarios;
using EcommerceEda.LoadTests.Target;
using static System.FormattableString;

namespace EcommerceEda.LoadTests;

/// <summary>One run of the harness: starts or connects to the system, runs the scenarios asked for, writes the report.</summary>
public static class LoadTestRun
{
    /// <summary>The scenarios <c>--Scenario</c> takes.</summary>
    public static readonly string[] Scenarios = ["all", "baselines", "place-orders", "find-max", "drain", "faults", "smoke"];

    private const double DefaultRate = 20;

    // Steady load under which faults are injected: about half of what this 2-core machine sustains.
    private const double FaultRate = 10;

    /// <summary>Runs what <paramref name="options"/> asks for and returns the report and the folder it was written to.</summary>
    public static async Task<(RunReport Report, string Folder)> RunAsync(
        LoadTestOptions options, string command, IRunConsole console, CancellationToken cancellationToken)
    {
        var scenario = options.Scenario;
        if (!Scenarios.Contains(scenario))
        {
            throw new ArgumentException($"Unknown scenario '{scenario}': choose one of {string.Join(", ", Scenarios)}.", nameof(options));
        }

        bool Runs(string name) => scenario == name || (scenario == "all" && name is not ("smoke" or "faults"));

        var folder = Path.Combine(options.Results ?? DefaultResults(), $"{options.RunId}-{scenario}");
        await using var system = await ConnectAsync(options, folder, console, cancellationToken);
        var stock = new Stock();
        await stock.FillAsync(system, cancellationToken);

        BaselineResult? postgres = null, broker = null;
        if (Runs("baselines"))
        {
            console.Heading("Raw limits: PostgreSQL");
            postgres = await PostgresBaseline.MeasureAsync(system, Level(console, "transactions"), cancellationToken);
            console.Heading("Raw limits: RabbitMQ");
            broker = await BrokerBaseline.MeasureAsync(system, Level(console, "messages"), cancellationToken);
        }

        FindMaxReport? findMax = null;
        if (Runs("find-max"))
        {
            console.Heading("find-max");
            findMax = await FindMax.RunAsync(system, stock, options, console, cancellationToken);
            console.Line(Invariant($"Highest sustainable rate: {findMax.Sustainable:0.#} orders/s"));
        }

        // place-orders and drain run at half the sustainable rate: where ARCHITECTURE.md sets its latency targets.
        var rate = options.Rate ?? (findMax is { Sustainable: > 0 } ? Math.Round(findMax.Sustainable / 2, 1) : DefaultRate);
        LoadReport? placeOrders = null;
        OrderCost? cost = null;
        CpuReport? cpu = null;
        if (Runs("place-orders"))
        {
            console.Heading("place-orders");
            (placeOrders, cost, cpu) = await PlaceOrders.RunAsync(system, stock, rate, options, console, cancellationToken);
        }
        else if (scenario == "smoke")
        {
            console.Heading("smoke");
            placeOrders = await PlaceOrders.SmokeAsync(system, stock, console, cancellationToken);
        }

        var hops = placeOrders is null ? [] : await HopReport.ReadAsync(system, placeOrders, cancellationToken);

        DrainReport? drain = null;
        if (Runs("drain"))
        {
            console.Heading("drain");
            drain = await Drain.RunAsync(system, stock, rate, options, console, cancellationToken);
        }

        IReadOnlyList<FaultReport> faults = [];
        if (Runs("faults"))
        {
            faults = await FaultSuite.RunAsync(system, options.Rate ?? FaultRate, options, console, cancellationToken);
        }

        var report = new RunReport(options.RunId, command, Machine(), postgres, broker, placeOrders, cost, cpu, hops, findMax, drain, faults);
        await ReportWriter.WriteAsync(report, folder, cancellationToken);
        return (report, folder);
    }

    private static async Task<SystemUnderTest> ConnectAsync(LoadTestOptions options, string folder, IRunConsole console, CancellationToken cancellationToken)
    {
        if (options.Target)
        {
            console.Line($"Driving the running system at {options.OrdersUrl}");
            return RunningSystem.Connect(options);
        }

        foreach (var abandoned in await DataFolders.RemoveAbandonedAsync(LocalAppHost.DataFolderPrefix))
        {
            console.Line($"Removed {abandoned}: the data of a run whose process ended without removing it");
        }

        console.Line(options.RabbitMqNodes == 1
            ? "Starting the system: AppHost, RabbitMQ, PostgreSQL and the four services, simulators at zero delay"
            : Invariant($"Starting the system: AppHost, a RabbitMQ cluster of {options.RabbitMqNodes} nodes, PostgreSQL and the four services, simulators at zero delay"));
        // Faults crash and restart parts of the system: what they logged is kept beside the report, failed or not.
        var logs = options.Scenario == "faults" ? Path.Combine(folder, "logs") : null;
        if (logs is not null)
        {
            console.Line($"The services', the broker's and the database's logs go to {logs}");
        }

        var host = await LocalAppHost.StartAsync(
            [
                "--Simulators:Delay=00:00:00",
                "--Logging:LogLevel:Default=Warning",
                // Health checks fail while services start and stop (drain): expected, and not worth a stack trace.
                "--Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=None",
                "--Logging:LogLevel:System.Net.Http=None",
                "--Logging:LogLevel:Aspire.Hosting.Dcp=Error",
                "--Logging:LogLevel:EcommerceEda.AppHost.Resources=None", // the services' own logs: in the dashboard, not here
                .. options.Scenario == "faults" ? FaultSettings : [],
            ],
            options.RabbitMqNodes,
            logs,
            cancellationToken);
        console.Line($"Its data: {host.DataPath} (removed when the run ends or is stopped)");
        try
        {
            return await host.AsSystemUnderTestAsync(owned: true, cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    // The fault suite crashes services through /ops/faults and waits for pick timers to run out.
    private static readonly string[] FaultSettings =
        ["--Faults:Enabled=true", string.Create(CultureInfo.InvariantCulture, $"--Fulfillment:PickTimeout={InjectedFaults.PickTimeout:c}")];

    private static Action<BaselineLevel> Level(IRunConsole console, string unit) =>
        level => console.Line(Invariant($"  {level.Concurrency,3} at once: {level.PerSecond:#,0} {unit}/s"));

    private static string Machine() => Invariant(
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}");

    // load-tests/results under the repository the harness was built in.
    private static string DefaultResults()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EcommerceEda.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? Directory.GetCurrentDirectory(), "load-tests", "results");
    }
}
