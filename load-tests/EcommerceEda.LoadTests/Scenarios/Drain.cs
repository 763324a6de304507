using System.Globalization;
using EcommerceEda.LoadTests.Faults;
using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Reports;
using EcommerceEda.LoadTests.Target;
using static System.FormattableString;

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
        var stop = Fault.Stop(service, options.DrainOutage);
        var timing = new FaultTiming();
        var load = await console.WatchAsync(
            string.Create(CultureInfo.InvariantCulture, $"drain: {rate:0.#}/s, {service} stopped for {options.DrainOutage.TotalSeconds:0} s"),
            progress => new OrderLoad(system, stock, progress).RunAsync(
                rate,
                Before + options.DrainOutage + After,
                options.CompletionTimeout,
                (clock, token) => stop.InjectAsync(new FaultTarget(system, control, stock), Before, timing, console, clock, token),
                cancellationToken));

        var report = new DrainReport(
            service,
            timing.OutageSeconds,
            Math.Round(timing.SteadyBacklog(load), 1),
            load.Samples.Where(s => s.Elapsed <= timing.Repaired).Select(s => s.InFlight).DefaultIfEmpty().Max(),
            timing.RecoverySeconds(load),
            LoadReport.From("drain", load, report => report.Correctness()));
        console.Line(Invariant(
            $"drain: backlog {report.PeakBacklog} orders at restart, back to steady in {report.DrainSeconds?.ToString("0.#", CultureInfo.InvariantCulture) ?? "(never)"} s"));
        return report;
    }
}
