using System.Diagnostics;
using System.Globalization;
using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Reports;
using EcommerceEda.LoadTests.Target;

namespace EcommerceEda.LoadTests.Scenarios;

/// <summary>
/// Stops a consumer service under steady load, starts it again, and measures how fast the backlog that built up
/// meanwhile drains: the queues hold the work, nothing is lost, and the service catches up.
/// </summary>
public static class Drain
{
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan After = TimeSpan.FromSeconds(40);

    /// <summary>Runs the scenario, or explains why it cannot (a system the harness did not start).</summary>
    public static async Task<DrainReport?> RunAsync(
        SystemUnderTest system, Stock stock, double rate, LoadTestOptions options, IRunConsole console, CancellationToken cancellationToken)
    {
        if (system.Control is not { } control)
        {
            console.Line("drain: skipped, it stops a service, which only a system the harness started allows (run without --Target)");
            return null;
        }

        var service = options.DrainService;
        var stopping = TimeSpan.Zero;
        var stopped = TimeSpan.Zero;
        var restarted = TimeSpan.Zero;
        var load = await console.WatchAsync(
            string.Create(CultureInfo.InvariantCulture, $"drain: {rate:0.#}/s, {service} stopped for {options.DrainOutage.TotalSeconds:0} s"),
            progress => new OrderLoad(system, stock, progress).RunAsync(
                rate, Before + options.DrainOutage + After, options.CompletionTimeout, OutageAsync, cancellationToken));

        var samples = load.Samples;
        var steady = samples.Where(s => s.Elapsed < stopping).Select(s => (double)s.InFlight).DefaultIfEmpty().Average();
        var peak = samples.Where(s => s.Elapsed <= restarted).Select(s => s.InFlight).DefaultIfEmpty().Max();
        var drained = DrainedAt(load, restarted, steady + Math.Max(2, rate / 4));
        var report = new DrainReport(
            service,
            Math.Round((restarted - stopping).TotalSeconds, 1),
            Math.Round(steady, 1),
            peak,
            drained is { } at ? Math.Round((at - restarted).TotalSeconds, 1) : null,
            LoadReport.From("drain", load, report => report.Correctness()));
        console.Line(Invariant(
            $"drain: backlog {report.PeakBacklog} orders at restart, back to steady in {report.DrainSeconds?.ToString("0.#", CultureInfo.InvariantCulture) ?? "(never)"} s"));
        return report;

        async Task OutageAsync(Stopwatch clock, CancellationToken token)
        {
            await Task.Delay(Before, token);
            stopping = clock.Elapsed;
            await control.StopAsync(service, token);
            stopped = clock.Elapsed;
            console.Line(Invariant($"drain: {service} asked to stop at {stopping.TotalSeconds:0.0} s, stopped at {stopped.TotalSeconds:0.0} s"));
            await Task.Delay(options.DrainOutage, token);
            var starting = clock.Elapsed;
            await control.StartAsync(service, token);
            restarted = clock.Elapsed;
            console.Line(Invariant($"drain: {service} started at {starting.TotalSeconds:0.0} s, healthy at {restarted.TotalSeconds:0.0} s"));
        }
    }

    // The first moment after the restart, in steps of 100 ms, when no more orders were in flight than the limit:
    // from when each order was due and when it ended, so it does not depend on when the console sampled.
    private static TimeSpan? DrainedAt(LoadResult load, TimeSpan restarted, double limit)
    {
        var due = load.Orders.Where(o => o.OrderId is not null).Select(o => o.Due).Order().ToList();
        var ended = load.Outcomes.Values.Where(o => OrderLoad.IsTerminal(o.Status)).Select(o => o.Ended).Order().ToList();
        var last = ended.Count == 0 ? restarted : ended[^1];
        var step = TimeSpan.FromMilliseconds(100);
        for (var at = restarted; at < last + step; at += step)
        {
            if (CountUpTo(due, at) - CountUpTo(ended, at) <= limit)
            {
                return at;
            }
        }

        return null;
    }

    private static int CountUpTo(List<TimeSpan> sorted, TimeSpan at)
    {
        var index = sorted.BinarySearch(at);
        return index >= 0 ? index + 1 : ~index;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
