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
        var drained = samples.FirstOrDefault(s => s.Elapsed > restarted && s.InFlight <= steady + Math.Max(2, rate / 4));
        var report = new DrainReport(
            service,
            Math.Round((restarted - stopping).TotalSeconds, 1),
            Math.Round(steady, 1),
            peak,
            drained is null ? null : Math.Round((drained.Elapsed - restarted).TotalSeconds, 1),
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

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
