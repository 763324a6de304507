using System.Diagnostics;
using System.Text.Json.Nodes;
using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Target;
using Npgsql;
using static System.FormattableString;

namespace EcommerceEda.LoadTests.Faults;

/// <summary>What a fault acts on: the system, the means to stop and start its parts, and the load's stock.</summary>
/// <param name="System">The system under load.</param>
/// <param name="Control">Stops and starts its services, its broker and its database server.</param>
/// <param name="Stock">The SKUs the load orders.</param>
public sealed record FaultTarget(SystemUnderTest System, IServiceControl Control, Stock Stock)
{
    /// <summary>What the fault's own checks found wrong; the ledger fails on any.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>What the fault's own checks saw (how many dead letters, how many timers), for the report.</summary>
    public List<string> Observations { get; } = [];
}

/// <summary>When a fault broke the system and when it was repaired, on the load's clock, and what that did to the backlog.</summary>
public sealed class FaultTiming
{
    /// <summary>When the fault began.</summary>
    public TimeSpan Broken { get; set; }

    /// <summary>When the repaired part reported healthy.</summary>
    public TimeSpan Repaired { get; set; }

    /// <summary>From the fault to the repair, in seconds.</summary>
    public double OutageSeconds => Math.Round((Repaired - Broken).TotalSeconds, 1);

    /// <summary>Orders in flight before the fault, on average.</summary>
    public double SteadyBacklog(LoadResult load) =>
        load.Samples.Where(s => s.Elapsed < Broken).Select(s => (double)s.InFlight).DefaultIfEmpty().Average();

    /// <summary>Seconds from the repair until the orders in flight were about as many as before the fault; null when never.</summary>
    public double? RecoverySeconds(LoadResult load) =>
        load.BacklogDownTo(SteadyBacklog(load) + Math.Max(2, load.Rate / 4), Repaired) is { } at ? Math.Round((at - Repaired).TotalSeconds, 1) : null;
}

/// <summary>One way to break the system under load, and how it is brought back.</summary>
/// <param name="Name">What <c>--Faults</c> calls it.</param>
/// <param name="Description">What it does, for the report.</param>
/// <param name="BreakAsync">Breaks the system.</param>
/// <param name="RepairAsync">Brings it back after the outage; returns once it reports healthy.</param>
/// <param name="Outage">How long it stays broken before the repair; zero for a fault the system recovers from by itself.</param>
public sealed record Fault(
    string Name,
    string Description,
    Func<FaultTarget, CancellationToken, Task> BreakAsync,
    Func<FaultTarget, CancellationToken, Task> RepairAsync,
    TimeSpan Outage)
{
    /// <summary>The fault's own checks once the load has ended, beyond the ledger's: they add to <see cref="FaultTarget.Problems"/>.</summary>
    public Func<FaultTarget, CancellationToken, Task>? VerifyAsync { get; init; }

    /// <summary>Every fault the harness knows, in the order <c>faults</c> runs them, with the outages of <paramref name="options"/>.</summary>
    public static IReadOnlyList<Fault> All(LoadTestOptions options) =>
    [
        .. LocalAppHost.Services.Select(service => Kill(service, $"kill -9 of {service}", options.FaultOutage)),
        Kill("rabbitmq", "kill -9 of the RabbitMQ node (its Erlang VM and every process it started)", options.FaultOutage),
        new(
            "stop-postgres",
            "PostgreSQL stopped in immediate mode (SIGQUIT: no checkpoint, crash recovery on the next start)",
            (target, token) => target.Control.StopAsync("postgres", StopMode.Immediate, token),
            async (target, token) =>
            {
                await target.Control.StartAsync("postgres", token);
                NpgsqlConnection.ClearAllPools(); // this harness's own connections to the stopped server are broken
            },
            options.FaultOutage),
        new(
            "close-connections",
            "the broker closes every client connection at once (management API), as a network failure would",
            CloseConnectionsAsync,
            (_, _) => Task.CompletedTask,
            TimeSpan.Zero),
        Kill("delivery", "kill -9 of delivery for a long outage, then the backlog drains", options.FaultLongOutage) with { Name = "long-outage" },
        InjectedFaults.Crash(
            "orders",
            "relay-after-confirm",
            "Orders killed after the broker confirmed outbox messages, before they were marked sent: they are published again",
            options.FaultOutage),
        InjectedFaults.Crash(
            "warehouse",
            "consumer-after-commit",
            "a Warehouse consumer killed after its transaction committed, before the broker had its ack: the message is delivered again",
            options.FaultOutage),
        InjectedFaults.DisturbedDeliveries(options.FaultOutage),
        InjectedFaults.PoisonThenRedrive(options.FaultOutage),
        InjectedFaults.TimeoutAcrossRestart(options.FaultOutage),
        .. options.RabbitMqNodes > 1 ? [KillBrokerLeader(options.FaultOutage)] : Array.Empty<Fault>(),
    ];

    /// <summary>A service stopped as an operator stops it (SIGTERM) and started again after <paramref name="outage"/>.</summary>
    public static Fault Stop(string service, TimeSpan outage) => new(
        $"stop-{service}",
        $"{service} stopped with SIGTERM",
        (target, token) => target.Control.StopAsync(service, StopMode.Graceful, token),
        (target, token) => target.Control.StartAsync(service, token),
        outage);

    /// <summary>
    /// Beside a load: waits <paramref name="before"/>, breaks the system, keeps it broken for <see cref="Outage"/>,
    /// repairs it, and notes when on <paramref name="timing"/> from the load's <paramref name="clock"/>.
    /// </summary>
    public async Task InjectAsync(
        FaultTarget target, TimeSpan before, FaultTiming timing, IRunConsole console, Stopwatch clock, CancellationToken cancellationToken)
    {
        await Task.Delay(before, cancellationToken);
        timing.Broken = clock.Elapsed;
        await BreakAsync(target, cancellationToken);
        console.Line(Invariant($"{Name}: broken at {timing.Broken.TotalSeconds:0.0} s (done at {clock.Elapsed.TotalSeconds:0.0} s)"));
        await Task.Delay(Outage, cancellationToken);
        var repairing = clock.Elapsed;
        await RepairAsync(target, cancellationToken);
        timing.Repaired = clock.Elapsed;
        console.Line(Invariant($"{Name}: repair started at {repairing.TotalSeconds:0.0} s, healthy at {timing.Repaired.TotalSeconds:0.0} s"));
    }

    /// <summary>The faults <c>--Faults</c> names (comma-separated), or all of them.</summary>
    public static IReadOnlyList<Fault> Select(LoadTestOptions options)
    {
        var all = All(options);
        if (string.IsNullOrWhiteSpace(options.Faults))
        {
            return all;
        }

        var wanted = options.Faults.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = wanted.Except(all.Select(f => f.Name)).ToList();
        if (unknown.Contains("kill-rabbitmq-leader"))
        {
            throw new ArgumentException("kill-rabbitmq-leader needs a RabbitMQ cluster: add --RabbitMqNodes=3.", nameof(options));
        }

        return unknown.Count > 0
            ? throw new ArgumentException($"Unknown fault '{string.Join("', '", unknown)}': choose from {string.Join(", ", all.Select(f => f.Name))}.", nameof(options))
            : [.. all.Where(f => wanted.Contains(f.Name))];
    }

    private static Fault Kill(string resource, string description, TimeSpan outage) => new(
        $"kill-{resource}",
        description,
        (target, token) => target.Control.StopAsync(resource, StopMode.Kill, token),
        (target, token) => target.Control.StartAsync(resource, token),
        outage);

    // In a cluster: the node that leads the most work queues, so that most queues elect a new leader at once.
    private static Fault KillBrokerLeader(TimeSpan outage)
    {
        var resource = "";
        return new(
            "kill-rabbitmq-leader",
            "kill -9 of the RabbitMQ node leading the most work queues; the other nodes elect new leaders and the services reconnect to them",
            async (target, token) =>
            {
                var queues = (await target.System.QueuesAsync("name,type,leader", token)).OfType<JsonNode>().ToList();
                var streamLeader = queues.FirstOrDefault(q => q["type"]?.GetValue<string>() == "stream")?["leader"]?.GetValue<string>();
                var workQueues = queues
                    .Where(q => q["type"]?.GetValue<string>() == "quorum" && q["leader"] is not null)
                    .Where(q => q["name"]!.GetValue<string>() is var name && !name.EndsWith("_error", StringComparison.Ordinal) && !name.EndsWith("_skipped", StringComparison.Ordinal))
                    .ToList();
                var busiest = workQueues.GroupBy(q => q["leader"]!.GetValue<string>()).MaxBy(g => g.Count())
                    ?? throw new InvalidOperationException("No quorum queue has a leader.");
                resource = target.Control.BrokerResource(busiest.Key);
                target.Observations.Add(Invariant(
                    $"{busiest.Key} ({resource}) led {busiest.Count()} of {workQueues.Count} work queues when it was killed{(streamLeader is null ? "" : $"; the event stream's leader was {streamLeader}")}"));
                await target.Control.StopAsync(resource, StopMode.Kill, token);
            },
            (target, token) => target.Control.StartAsync(resource, token),
            outage);
    }

    private static Task CloseConnectionsAsync(FaultTarget target, CancellationToken cancellationToken) =>
        BrokerConnections.CloseAllAsync(target.System.Management, virtualHost: null, "fault test: every connection closed", cancellationToken);
}
