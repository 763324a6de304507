using EcommerceEda.LoadTests.Baselines;
using EcommerceEda.LoadTests.Faults;
using EcommerceEda.LoadTests.Load;

namespace EcommerceEda.LoadTests.Reports;

/// <summary>One second of a load: orders placed in it, orders ended in it, and the latencies of those placed in it.</summary>
/// <param name="Second">Seconds since the load started.</param>
/// <param name="Placed">Orders accepted that were due in this second.</param>
/// <param name="Ended">Orders that ended in this second.</param>
/// <param name="HttpP50">Median <c>POST /api/orders</c> latency of this second's orders, ms.</param>
/// <param name="HttpP99">Its 99th percentile, ms.</param>
/// <param name="EndToEndP50">Median placed → delivered of this second's orders, ms.</param>
/// <param name="EndToEndP99">Its 99th percentile, ms.</param>
public sealed record TimelinePoint(int Second, int Placed, int Ended, double HttpP50, double HttpP99, double EndToEndP50, double EndToEndP99);

/// <summary>A pass/fail criterion of a load, NBomber-style.</summary>
/// <param name="Name">What is checked.</param>
/// <param name="Limit">The limit.</param>
/// <param name="Actual">What was measured.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Correctness">A correctness criterion (orders lost or refused) fails the run; a speed target only reports.</param>
public sealed record Threshold(string Name, string Limit, string Actual, bool Passed, bool Correctness = false);

/// <summary>A load at one rate, summarised.</summary>
/// <param name="Name">The scenario.</param>
/// <param name="Started">When the load started, UTC: second 0 of <paramref name="Timeline"/>.</param>
/// <param name="Customer">The customer the load placed its orders for (its own).</param>
/// <param name="Rate">Orders per second asked for.</param>
/// <param name="DurationSeconds">How long orders were placed.</param>
/// <param name="Placed">Orders sent.</param>
/// <param name="Accepted">Orders the API accepted.</param>
/// <param name="Failed">Orders refused or not answered.</param>
/// <param name="Delivered">Accepted orders that were delivered.</param>
/// <param name="Unfinished">Accepted orders that had not ended when the completion wait ran out.</param>
/// <param name="DeliveredPerSecond">Deliveries per second while orders were placed (the sustained throughput).</param>
/// <param name="Http">Latency of <c>POST /api/orders</c>, from when each call was due.</param>
/// <param name="EndToEnd">Placed → delivered, from the order histories.</param>
/// <param name="Timeline">Second by second.</param>
/// <param name="Thresholds">Its criteria.</param>
public sealed record LoadReport(
    string Name,
    DateTimeOffset Started,
    string Customer,
    double Rate,
    double DurationSeconds,
    int Placed,
    int Accepted,
    int Failed,
    int Delivered,
    int Unfinished,
    double DeliveredPerSecond,
    LatencySummary Http,
    LatencySummary EndToEnd,
    IReadOnlyList<TimelinePoint> Timeline,
    IReadOnlyList<Threshold> Thresholds)
{
    /// <summary>Summarises <paramref name="load"/>; <paramref name="thresholds"/> judges it.</summary>
    public static LoadReport From(string name, LoadResult load, Func<LoadReport, IEnumerable<Threshold>> thresholds)
    {
        var delivered = load.Outcomes.Values.Where(o => o.Status == "Delivered").ToList();
        var report = new LoadReport(
            name,
            load.Started,
            load.Customer,
            load.Rate,
            load.Duration.TotalSeconds,
            load.Orders.Count,
            load.Accepted,
            load.Orders.Count - load.Accepted,
            load.Delivered,
            load.Unfinished,
            Math.Round(delivered.Count(o => o.Ended <= load.Duration) / load.Duration.TotalSeconds, 1),
            LatencySummary.Of(load.Orders.Select(o => o.HttpMs)),
            LatencySummary.Of(delivered.Select(o => o.EndToEndMs)),
            TimelineOf(load),
            []);
        return report with { Thresholds = [.. thresholds(report)] };
    }

    /// <summary>The correctness criteria every load must meet: nothing refused, every accepted order delivered.</summary>
    public IEnumerable<Threshold> Correctness()
    {
        yield return new Threshold("orders refused or unanswered", "0", $"{Failed}", Failed == 0, Correctness: true);
        yield return new Threshold("accepted orders delivered", $"{Accepted}", $"{Delivered}", Delivered == Accepted, Correctness: true);
    }

    private static List<TimelinePoint> TimelineOf(LoadResult load)
    {
        var outcomes = load.Outcomes;
        var placedBySecond = load.Orders.Where(o => o.OrderId is not null).ToLookup(o => (int)o.Due.TotalSeconds);
        var endedBySecond = outcomes.Values.Where(o => OrderLoad.IsTerminal(o.Status)).ToLookup(o => (int)Math.Max(0, o.Ended.TotalSeconds));
        var last = Math.Max(placedBySecond.Select(g => g.Key).DefaultIfEmpty().Max(), endedBySecond.Select(g => g.Key).DefaultIfEmpty().Max());
        return [.. Enumerable.Range(0, last + 1).Select(second =>
        {
            var placed = placedBySecond[second].ToList();
            var http = LatencySummary.Of(placed.Select(o => o.HttpMs));
            var endToEnd = LatencySummary.Of(placed
                .Select(o => outcomes.GetValueOrDefault(o.OrderId!.Value))
                .Where(o => o?.Status == "Delivered")
                .Select(o => o!.EndToEndMs));
            return new TimelinePoint(second, placed.Count, endedBySecond[second].Count(), http.P50, http.P99, endToEnd.P50, endToEnd.P99);
        })];
    }
}

/// <summary>What an order costs: commits in the services' databases and messages through the broker.</summary>
/// <param name="Orders">Orders the costs are spread over.</param>
/// <param name="CommitsByDatabase">Transactions committed meanwhile, by service database.</param>
/// <param name="Writes">Transactions that wrote meanwhile (those the baseline's transaction stands for).</param>
/// <param name="MessagesByQueue">Messages enqueued meanwhile, by queue or stream.</param>
public sealed record OrderCost(
    long Orders, IReadOnlyDictionary<string, long> CommitsByDatabase, long Writes, IReadOnlyDictionary<string, long> MessagesByQueue)
{
    /// <summary>Transactions committed meanwhile in the four databases.</summary>
    public long Commits => CommitsByDatabase.Values.Sum();

    /// <summary>C: commits per order.</summary>
    public double CommitsPerOrder => PerOrder(Commits);

    /// <summary>C_w: writing transactions per order.</summary>
    public double WritesPerOrder => PerOrder(Writes);

    /// <summary>Commits per order, by service database.</summary>
    public IReadOnlyDictionary<string, double> CommitsPerOrderByDatabase => PerOrder(CommitsByDatabase);

    private double PerOrder(long count) => Orders == 0 ? 0 : Math.Round((double)count / Orders, 2);

    /// <summary>Messages enqueued meanwhile on every queue and stream.</summary>
    public long Messages => MessagesByQueue.Values.Sum();

    /// <summary>M: broker messages per order.</summary>
    public double MessagesPerOrder => PerOrder(Messages);

    /// <summary>Messages per order, by the queues and streams that took any.</summary>
    public IReadOnlyDictionary<string, double> MessagesPerOrderByQueue => PerOrder(MessagesByQueue.Where(queue => queue.Value > 0));

    private Dictionary<string, double> PerOrder(IEnumerable<KeyValuePair<string, long>> counts) =>
        counts.ToDictionary(count => count.Key, count => PerOrder(count.Value));
}

/// <summary>Where the CPU went during a load: seconds by part of the system, and per order.</summary>
/// <param name="Seconds">CPU seconds by part (a service, PostgreSQL, RabbitMQ, ...).</param>
/// <param name="WallSeconds">How long the load took, completion included.</param>
/// <param name="Orders">Orders placed.</param>
public sealed record CpuReport(IReadOnlyDictionary<string, double> Seconds, double WallSeconds, long Orders)
{
    /// <summary>CPU milliseconds per order, by part.</summary>
    public IReadOnlyDictionary<string, double> MillisecondsPerOrder => Seconds.ToDictionary(
        part => part.Key, part => Orders == 0 ? 0 : Math.Round(part.Value * 1_000 / Orders, 2));

    /// <summary>The share of all the machine's cores each part used, in percent.</summary>
    public IReadOnlyDictionary<string, double> ShareOfMachine => Seconds.ToDictionary(
        part => part.Key, part => Math.Round(part.Value * 100 / (WallSeconds * Environment.ProcessorCount), 1));
}

/// <summary>The bound the raw limits put on orders per second, and how close the system comes.</summary>
/// <param name="PostgresPerSecond">R_pg: the best consumer-shaped commits/s.</param>
/// <param name="BrokerPerSecond">R_mq: the best quorum-queue messages/s with confirms.</param>
/// <param name="CommitsPerOrder">C: every commit, read-only ones included.</param>
/// <param name="WritesPerOrder">C_w: the commits that wrote, the kind R_pg measures.</param>
/// <param name="MessagesPerOrder">M.</param>
/// <param name="Sustained">The highest sustainable orders/s find-max found, or the place-orders throughput.</param>
public sealed record Bound(
    double PostgresPerSecond, double BrokerPerSecond, double CommitsPerOrder, double WritesPerOrder, double MessagesPerOrder, double Sustained)
{
    /// <summary>X* = 1 / (C/R_pg + M/R_mq): orders/s if the database and the broker did nothing else.</summary>
    public double XStar => Of(CommitsPerOrder);

    /// <summary>Sustained / X*.</summary>
    public double Ratio => Math.Round(Sustained / XStar, 2);

    /// <summary>X* with C_w for C: a read-only commit costs the database far less than the baseline's write.</summary>
    public double XStarWrites => Of(WritesPerOrder);

    /// <summary>Sustained / X* with C_w.</summary>
    public double RatioWrites => Math.Round(Sustained / XStarWrites, 2);

    private double Of(double commitsPerOrder) =>
        Math.Round(1 / ((commitsPerOrder / PostgresPerSecond) + (MessagesPerOrder / BrokerPerSecond)), 1);
}

/// <summary>One rate find-max held.</summary>
/// <param name="Load">The load at that rate.</param>
/// <param name="Sustainable">Whether the system kept up.</param>
public sealed record FindMaxStep(LoadReport Load, bool Sustainable);

/// <summary>The steps of find-max and the highest sustainable rate.</summary>
/// <param name="Steps">Each rate tried, in order.</param>
/// <param name="P99LimitMs">The placed → delivered p99 a sustainable rate stays under.</param>
public sealed record FindMaxReport(IReadOnlyList<FindMaxStep> Steps, double P99LimitMs)
{
    /// <summary>The highest rate the system sustained, 0 when none.</summary>
    public double Sustainable => Steps.Where(s => s.Sustainable).Select(s => s.Load.Rate).DefaultIfEmpty().Max();
}

/// <summary>A consumer service stopped under load and restarted.</summary>
/// <param name="Service">The service stopped.</param>
/// <param name="OutageSeconds">How long it was down.</param>
/// <param name="SteadyBacklog">Orders in flight before the outage (mean).</param>
/// <param name="PeakBacklog">Orders in flight when it came back.</param>
/// <param name="DrainSeconds">From its restart until the backlog was back to steady.</param>
/// <param name="Load">The load throughout.</param>
public sealed record DrainReport(string Service, double OutageSeconds, double SteadyBacklog, long PeakBacklog, double? DrainSeconds, LoadReport Load)
{
    /// <summary>Orders per second the backlog shrank by while draining, on top of the arriving load.</summary>
    public double? DrainRate => DrainSeconds is > 0 ? Math.Round((PeakBacklog - SteadyBacklog) / DrainSeconds.Value, 1) : null;
}

/// <summary>A fault injected under load, and what the ledger found afterwards.</summary>
/// <param name="Name">The fault.</param>
/// <param name="Description">What it does.</param>
/// <param name="OutageSeconds">From the fault to the repaired part reporting healthy.</param>
/// <param name="RecoverySeconds">From then until the orders in flight were back to steady.</param>
/// <param name="Ledger">Orders lost, effects duplicated, messages stuck.</param>
/// <param name="Load">The load throughout; its thresholds are the ledger's.</param>
public sealed record FaultReport(string Name, string Description, double OutageSeconds, double? RecoverySeconds, LedgerReport Ledger, LoadReport Load)
{
    /// <summary>Calls refused while the fault lasted, by HTTP status (0: no answer).</summary>
    public required IReadOnlyDictionary<int, int> Refusals { get; init; }

    /// <summary>What the fault's own checks saw, beyond the ledger (dead letters redriven, timers fired).</summary>
    public IReadOnlyList<string> Observations { get; init; } = [];
}

/// <summary>Everything one run of the harness measured.</summary>
/// <param name="RunId">The run's name (its start time).</param>
/// <param name="Command">The command line that reproduces it.</param>
/// <param name="Machine">Cores, OS, runtime.</param>
/// <param name="Postgres">The raw limit of the database, when measured.</param>
/// <param name="Broker">The raw limit of the broker, when measured.</param>
/// <param name="PlaceOrders">The place-orders load (or smoke).</param>
/// <param name="Cost">C and M, from the place-orders load.</param>
/// <param name="Cpu">Where the CPU went during the place-orders load.</param>
/// <param name="Hops">How long each hop between the services took during the place-orders load (or smoke), in the order an order takes them.</param>
/// <param name="FindMax">The find-max steps.</param>
/// <param name="Drain">The drain scenario.</param>
/// <param name="Faults">The fault scenarios.</param>
public sealed record RunReport(
    string RunId,
    string Command,
    string Machine,
    BaselineResult? Postgres,
    BaselineResult? Broker,
    LoadReport? PlaceOrders,
    OrderCost? Cost,
    CpuReport? Cpu,
    IReadOnlyList<HopReport> Hops,
    FindMaxReport? FindMax,
    DrainReport? Drain,
    IReadOnlyList<FaultReport> Faults)
{
    /// <summary>The bound and the ratio, when the run measured both raw limits and the cost of an order.</summary>
    public Bound? Bound => Postgres is not null && Broker is not null && Cost is { Orders: > 0 }
        ? new Bound(
            Postgres.Best.PerSecond,
            Broker.Best.PerSecond,
            Cost.CommitsPerOrder,
            Cost.WritesPerOrder,
            Cost.MessagesPerOrder,
            FindMax?.Sustainable ?? PlaceOrders?.DeliveredPerSecond ?? 0)
        : null;

    /// <summary>Whether every correctness criterion held (speed targets only report).</summary>
    public bool Correct => new[] { PlaceOrders, Drain?.Load }.Concat(Faults.Select(fault => fault.Load)).OfType<LoadReport>()
        .SelectMany(load => load.Thresholds)
        .All(threshold => threshold.Passed || !threshold.Correctness);
}
