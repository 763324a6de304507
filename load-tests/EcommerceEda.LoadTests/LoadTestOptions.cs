using System.Globalization;

namespace EcommerceEda.LoadTests;

/// <summary>What to run and against what, from the command line (<c>--Rate=40</c> or <c>--Rate 40</c>).</summary>
public sealed class LoadTestOptions
{
    /// <summary>The scenarios to run: <c>all</c>, <c>baselines</c>, <c>place-orders</c>, <c>find-max</c>, <c>drain</c>, <c>faults</c> or <c>smoke</c>.</summary>
    public string Scenario { get; set; } = "all";

    /// <summary>Drive the system <c>./eng/run.sh</c> started (or the addresses below) instead of starting one.</summary>
    public bool Target { get; set; }

    /// <summary>Orders per second for place-orders and drain; by default half of what find-max found, else 20.</summary>
    public double? Rate { get; set; }

    /// <summary>How long place-orders keeps its rate.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a load runs unmeasured first, so that the services are warm (JIT, pools).</summary>
    public TimeSpan WarmUp { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The first rate find-max tries.</summary>
    public double FindMaxFrom { get; set; } = 10;

    /// <summary>How long find-max holds each rate.</summary>
    public TimeSpan FindMaxStep { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The p99 placed → delivered, in milliseconds, above which find-max calls a rate unsustainable.</summary>
    public double FindMaxP99Ms { get; set; } = 1_000;

    /// <summary>The service the drain scenario stops.</summary>
    public string DrainService { get; set; } = "delivery";

    /// <summary>How long the drain scenario keeps that service stopped under load.</summary>
    public TimeSpan DrainOutage { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The faults the <c>faults</c> scenario runs, comma-separated; all of them by default.</summary>
    public string? Faults { get; set; }

    /// <summary>How long a fault keeps its part of the system down.</summary>
    public TimeSpan FaultOutage { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the <c>long-outage</c> fault keeps delivery down.</summary>
    public TimeSpan FaultLongOutage { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// RabbitMQ nodes of the system the harness starts: 3 makes a local cluster (quorum queues replicated on every
    /// node, the services connected to all) and adds the <c>kill-rabbitmq-leader</c> fault.
    /// </summary>
    public int RabbitMqNodes { get; set; } = 1;

    /// <summary>The longest wait for the orders of a load to end (Delivered or Cancelled) once it stops.</summary>
    public TimeSpan CompletionTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>The Orders API of a running system.</summary>
    public Uri OrdersUrl { get; set; } = new("http://localhost:5101");

    /// <summary>The Warehouse API of a running system.</summary>
    public Uri WarehouseUrl { get; set; } = new("http://localhost:5102");

    /// <summary>The PostgreSQL server of a running system (a superuser's connection string).</summary>
    public string? Postgres { get; set; }

    /// <summary>The broker of a running system (<c>amqp://user:password@host:port/</c>).</summary>
    public Uri? RabbitMq { get; set; }

    /// <summary>The broker's management API of a running system.</summary>
    public Uri RabbitMqManagementUrl { get; set; } = new("http://localhost:35673");

    /// <summary>Where reports go: a folder per run under it.</summary>
    public string? Results { get; set; }

    /// <summary>The run's name: its start time.</summary>
    public string RunId { get; } = DateTimeOffset.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
}
