using System.Globalization;
using EcommerceEda.LoadTests.Baselines;
using EcommerceEda.LoadTests.Load;

namespace EcommerceEda.LoadTests.Reports;

/// <summary>A part of a report, rendered as markdown or HTML.</summary>
public abstract record Block;

/// <summary>A section heading.</summary>
/// <param name="Text">Its text.</param>
public sealed record Heading(string Text) : Block;

/// <summary>A paragraph; <c>`code`</c> spans are kept.</summary>
/// <param name="Text">Its text.</param>
public sealed record Paragraph(string Text) : Block;

/// <summary>A table.</summary>
/// <param name="Headers">Column headings.</param>
/// <param name="Rows">Its rows, as many cells each as there are headings.</param>
public sealed record TableBlock(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows) : Block;

/// <summary>A line of a chart.</summary>
/// <param name="Name">Its legend.</param>
/// <param name="Points">Its points (x in seconds).</param>
public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>A line chart over time (only the HTML page draws it).</summary>
/// <param name="Title">Its title.</param>
/// <param name="Unit">The unit of the y axis.</param>
/// <param name="Lines">Its lines.</param>
public sealed record ChartBlock(string Title, string Unit, IReadOnlyList<Series> Lines) : Block;

/// <summary>A run's report as a sequence of blocks, for every format.</summary>
public static class ReportDocument
{
    /// <summary>The blocks of <paramref name="run"/>.</summary>
    public static IEnumerable<Block> Of(RunReport run)
    {
        yield return new Paragraph($"Run `{run.RunId}` on {run.Machine}. Reproduce with `{run.Command}`.");
        if (run.Postgres is not null || run.Broker is not null)
        {
            yield return new Heading("Raw limits of the machine");
            foreach (var block in Baselines(new[] { run.Postgres, run.Broker }.OfType<BaselineResult>()))
            {
                yield return block;
            }
        }

        if (run.Cost is { } cost)
        {
            yield return new Heading("What an order costs, and the bound");
            yield return new Paragraph(
                "C and M are the services' commits (`pg_stat_database.xact_commit` of the four databases) and the messages " +
                "enqueued on every queue and stream (`message_stats.publish`) during place-orders and its lead-in, divided by their orders. " +
                "C_w counts only the transactions that wrote (transaction ids assigned), the kind the baseline measures.");
            yield return Table(["orders", "commits", "of which wrote", "messages", "C (commits/order)", "C_w (writes/order)", "M (messages/order)"],
                [[F(cost.Orders), F(cost.Commits), F(cost.Writes), F(cost.Messages), F(cost.CommitsPerOrder), F(cost.WritesPerOrder), F(cost.MessagesPerOrder)]]);
            yield return Breakdown("database", "commits per order", cost.CommitsPerOrderByDatabase);
            yield return Breakdown("queue or stream", "messages per order", cost.MessagesPerOrderByQueue);
        }

        if (run.Bound is { } bound)
        {
            yield return Table(["R_pg (commits/s)", "R_mq (messages/s)", "sustained orders/s", "X* = 1 / (C/R_pg + M/R_mq)", "sustained / X*", "X* with C_w", "sustained / X* with C_w"],
                [[F(bound.PostgresPerSecond), F(bound.BrokerPerSecond), F(bound.Sustained), F(bound.XStar), F(bound.Ratio), F(bound.XStarWrites), F(bound.RatioWrites)]]);
        }

        if (run.Cpu is { } cpu)
        {
            yield return new Heading("Where the CPU goes");
            yield return new Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"CPU time by process during place-orders ({cpu.WallSeconds:0} s, {cpu.Orders} orders, {Environment.ProcessorCount} cores), from `/proc/<pid>/stat`."));
            yield return Table(["part", "CPU s", "CPU ms per order", "% of the machine"],
                [.. cpu.Seconds.Keys.Select(part => (IReadOnlyList<string>)
                    [part, F(cpu.Seconds[part]), F(cpu.MillisecondsPerOrder[part]), F(cpu.ShareOfMachine[part])])]);
        }

        if (run.Hops.Count > 0)
        {
            yield return new Heading("Where the time goes between the services");
            yield return new Paragraph(
                "Each hop of the load's messages, from the outbox row's `created_at` (the start of the transaction that " +
                "wrote it) to the consumer's inbox row's `received_at` (the start of its transaction): the rest of the " +
                "writer's transaction, its commit, the publish, the broker's delivery and the consumer taking it up. The rest " +
                "of an order's placed → delivered is the work inside each transaction and the simulated picker's and courier's steps.");
            yield return Table(["message", "from", "to", "messages", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                [.. run.Hops.Select(hop => (IReadOnlyList<string>)
                [
                    hop.Message, hop.From, hop.To, F(hop.Latency.Count), F(hop.Latency.P50), F(hop.Latency.P95), F(hop.Latency.P99), F(hop.Latency.Max),
                ])]);
        }

        if (run.FindMax is { } findMax)
        {
            yield return new Heading("find-max");
            yield return new Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"Highest sustainable rate: **{findMax.Sustainable:0.#} orders/s** (every order accepted and delivered, p99 of the call and of placed → delivered under {findMax.P99LimitMs:0} ms)."));
            yield return Table(["rate/s", "delivered/s", "HTTP p99 ms", "e2e p50 ms", "e2e p99 ms", "refused", "unfinished", "sustained"],
                [.. findMax.Steps.Select(step => (IReadOnlyList<string>)
                [
                    F(step.Load.Rate), F(step.Load.DeliveredPerSecond), F(step.Load.Http.P99), F(step.Load.EndToEnd.P50),
                    F(step.Load.EndToEnd.P99), F(step.Load.Failed), F(step.Load.Unfinished), step.Sustainable ? "yes" : "no",
                ])]);
            yield return new ChartBlock("placed → delivered by rate (x: orders/s)", "ms",
            [
                new Series("p50", [.. findMax.Steps.Select(s => (s.Load.Rate, s.Load.EndToEnd.P50))]),
                new Series("p99", [.. findMax.Steps.Select(s => (s.Load.Rate, s.Load.EndToEnd.P99))]),
            ]);
        }

        if (run.PlaceOrders is { } placeOrders)
        {
            foreach (var block in Load(placeOrders))
            {
                yield return block;
            }
        }

        if (run.Drain is { } drain)
        {
            yield return new Heading("drain");
            yield return new Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"`{drain.Service}` stopped for {drain.OutageSeconds:0.#} s under {drain.Load.Rate:0.#} orders/s, then started again. " +
                $"In flight before: {drain.SteadyBacklog:0.#}; at the restart: {drain.PeakBacklog}; back to steady after " +
                $"{(drain.DrainSeconds is { } seconds ? F(seconds) + " s" : "more than the load lasted")}" +
                $"{(drain.DrainRate is { } rate ? $", draining {F(rate)} orders/s on top of the arriving load" : "")}."));
            foreach (var block in Load(drain.Load).Skip(1))
            {
                yield return block;
            }
        }

        if (run.Faults.Count > 0)
        {
            yield return new Heading("Faults");
            yield return new Paragraph(
                "Each fault under steady load; once its orders ended and the system was quiet, the ledger: accepted orders not ended (lost), " +
                "effects missing or applied twice (order statuses, shipments, timeline entries, stock), outbox messages due and unsent (stuck), " +
                "messages left on work queues, messages dead-lettered (only injected poison belongs there).");
            yield return Table(["fault", "orders", "refused", "lost", "missing", "duplicated", "stuck", "queued", "dead-lettered", "outage s", "recovery s", "result"],
                [.. run.Faults.Select(fault => (IReadOnlyList<string>)
                [
                    fault.Name, F(fault.Ledger.Orders), Refusals(fault), F(fault.Ledger.Lost), F(fault.Ledger.Incomplete), F(fault.Ledger.Duplicated),
                    F(fault.Ledger.Stuck), F(fault.Ledger.Queued), F(fault.Ledger.DeadLettered), F(fault.OutageSeconds),
                    fault.RecoverySeconds is { } recovery ? F(recovery) : "never", fault.Ledger.Passed ? "pass" : "FAIL",
                ])]);
            foreach (var fault in run.Faults)
            {
                yield return new Heading($"fault: {fault.Name}");
                yield return new Paragraph(fault.Description + ".");
                foreach (var observation in fault.Observations)
                {
                    yield return new Paragraph($"Observed: {observation}");
                }

                foreach (var finding in fault.Ledger.Findings)
                {
                    yield return new Paragraph($"Finding: {finding}");
                }

                foreach (var block in Load(fault.Load).Skip(1))
                {
                    yield return block;
                }
            }
        }
    }

    // "119 (503)", "88 (no answer)": how many calls were refused, and how.
    private static string Refusals(FaultReport fault) => fault.Refusals.Count == 0
        ? "0"
        : $"{F(fault.Load.Failed)} ({string.Join(", ", fault.Refusals.Select(r => (r.Key == 0 ? "no answer" : F(r.Key)) + (fault.Refusals.Count > 1 ? $": {F(r.Value)}" : "")))})";

    private static IEnumerable<Block> Baselines(IEnumerable<BaselineResult> baselines)
    {
        foreach (var baseline in baselines)
        {
            yield return Table(["concurrency", baseline.Name],
                [.. baseline.Levels.Select(level => (IReadOnlyList<string>)
                [
                    level == baseline.Best ? $"**{level.Concurrency}** (best)" : F(level.Concurrency),
                    level == baseline.Best ? $"**{F(level.PerSecond)}**" : F(level.PerSecond),
                ])]);
        }
    }

    private static IEnumerable<Block> Load(LoadReport load)
    {
        yield return new Heading(load.Name);
        yield return new Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"{load.Rate:0.#} orders/s for {load.DurationSeconds:0} s from {load.Started:HH:mm:ss} UTC: {load.Placed} placed, {load.Accepted} accepted, {load.Failed} refused, " +
            $"{load.Delivered} delivered, {load.Unfinished} unfinished; {load.DeliveredPerSecond:0.#} delivered/s while placing."));
        yield return Table(["latency (ms)", "count", "mean", "p50", "p95", "p99", "max"],
        [
            Latency("POST /api/orders (from when due)", load.Http),
            Latency("placed → delivered", load.EndToEnd),
        ]);
        yield return Table(["threshold", "limit", "measured", "result"],
            [.. load.Thresholds.Select(t => (IReadOnlyList<string>)[t.Name, t.Limit, t.Actual, t.Passed ? "pass" : "FAIL"])]);
        yield return new ChartBlock($"{load.Name}: throughput", "orders/s",
        [
            new Series("placed", [.. load.Timeline.Select(p => ((double)p.Second, (double)p.Placed))]),
            new Series("ended", [.. load.Timeline.Select(p => ((double)p.Second, (double)p.Ended))]),
        ]);
        yield return new ChartBlock($"{load.Name}: latency of the orders placed each second", "ms",
        [
            new Series("HTTP p99", [.. load.Timeline.Select(p => ((double)p.Second, p.HttpP99))]),
            new Series("e2e p50", [.. load.Timeline.Select(p => ((double)p.Second, p.EndToEndP50))]),
            new Series("e2e p99", [.. load.Timeline.Select(p => ((double)p.Second, p.EndToEndP99))]),
        ]);
    }

    private static IReadOnlyList<string> Latency(string name, LatencySummary latency) =>
        [name, F(latency.Count), F(latency.Mean), F(latency.P50), F(latency.P95), F(latency.P99), F(latency.Max)];

    private static TableBlock Table(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows) => new(headers, rows);

    // One cost per order by part (a database, a queue), the largest first.
    private static TableBlock Breakdown(string part, string cost, IReadOnlyDictionary<string, double> perOrder) =>
        Table([part, cost], [.. perOrder.OrderByDescending(p => p.Value).Select(p => (IReadOnlyList<string>)[p.Key, F(p.Value)])]);

    private static string F(double value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);
}
