using System.Globalization;
using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Reports;
using EcommerceEda.LoadTests.Target;

namespace EcommerceEda.LoadTests.Scenarios;

/// <summary>
/// Orders at a fixed arrival rate for a while: latency of the API and placed → delivered, with what each order
/// costs the database and the broker (the counters are read, settled, before and after).
/// </summary>
public static class PlaceOrders
{
    /// <summary>The end-to-end targets of ARCHITECTURE.md, at half the sustainable load.</summary>
    public const double TargetP50Ms = 50, TargetP99Ms = 250;

    // The first seconds of a load after an idle spell are slower than the rest (BENCHMARKS.md, "Every load starts
    // slow"), and the counters settle only on an idle system: the measured load follows a lead-in at the same rate.
    private static readonly TimeSpan LeadIn = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Warms the system up at the rate, reads the counters, settled, then runs a lead-in and, straight after it, the
    /// measured load; the counters are read again once both have ended, so the cost is spread over the orders of both.
    /// </summary>
    public static async Task<(LoadReport Load, OrderCost Cost, CpuReport Cpu)> RunAsync(
        SystemUnderTest system, Stock stock, double rate, LoadTestOptions options, IRunConsole console, CancellationToken cancellationToken)
    {
        await WarmUpAsync(system, stock, rate, options, console, cancellationToken);
        console.Line("Reading the database's and the broker's counters (they settle for 11 s)");
        var before = await Counters.ReadSettledAsync(system, cancellationToken);
        var leadIn = await console.WatchAsync(
            string.Create(CultureInfo.InvariantCulture, $"lead-in at {rate:0.#}/s for {LeadIn.TotalSeconds:0} s (not measured)"),
            progress => new OrderLoad(system, stock, progress).RunAsync(rate, LeadIn, completionTimeout: TimeSpan.Zero, during: null, cancellationToken));
        var cpu = CpuUsage.Read();
        var load = await console.WatchAsync(
            string.Create(CultureInfo.InvariantCulture, $"place-orders at {rate:0.#}/s for {options.Duration.TotalSeconds:0} s"),
            progress => new OrderLoad(system, stock, progress).RunAsync(rate, options.Duration, options.CompletionTimeout, during: null, cancellationToken));
        var used = CpuUsage.Read();
        var spent = (await Counters.ReadSettledAsync(system, cancellationToken)).Since(before);
        var report = LoadReport.From("place-orders", load, report =>
        [
            .. report.Correctness(),
            new Threshold("p50 placed → delivered", $"< {TargetP50Ms} ms", $"{report.EndToEnd.P50} ms", report.EndToEnd.P50 < TargetP50Ms),
            new Threshold("p99 placed → delivered", $"< {TargetP99Ms} ms", $"{report.EndToEnd.P99} ms", report.EndToEnd.P99 < TargetP99Ms),
        ]);
        var cost = new OrderCost(leadIn.Accepted + load.Accepted, spent.Commits, spent.Writes, spent.Enqueued);
        return (report, cost, new CpuReport(used.Since(cpu), (used.Wall - cpu.Wall).TotalSeconds, load.Accepted));
    }

    /// <summary>
    /// Places orders at <paramref name="rate"/> for <see cref="LoadTestOptions.WarmUp"/> and forgets them: the
    /// services JIT-compile and fill their pools before anything is measured.
    /// </summary>
    public static async Task WarmUpAsync(
        SystemUnderTest system, Stock stock, double rate, LoadTestOptions options, IRunConsole console, CancellationToken cancellationToken)
    {
        if (options.WarmUp > TimeSpan.Zero)
        {
            await console.WatchAsync(
                string.Create(CultureInfo.InvariantCulture, $"warm-up at {rate:0.#}/s for {options.WarmUp.TotalSeconds:0} s (not measured)"),
                progress => new OrderLoad(system, stock, progress).RunAsync(rate, options.WarmUp, options.CompletionTimeout, during: null, cancellationToken));
        }
    }

    /// <summary>A few seconds at a low rate: every order must be delivered. The test suite runs it.</summary>
    public static async Task<LoadReport> SmokeAsync(SystemUnderTest system, Stock stock, IRunConsole console, CancellationToken cancellationToken)
    {
        var load = await console.WatchAsync(
            "smoke: 5 orders/s for 4 s",
            progress => new OrderLoad(system, stock, progress).RunAsync(5, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(60), during: null, cancellationToken));
        return LoadReport.From("smoke", load, report => report.Correctness());
    }
}
