using System.Globalization;
using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Reports;
using EcommerceEda.LoadTests.Scenarios;
using EcommerceEda.LoadTests.Target;
using static System.FormattableString;

namespace EcommerceEda.LoadTests.Faults;

/// <summary>
/// Each fault in turn under steady load: the load runs, the fault breaks the system and repairs it, the load
/// goes on, and once every order has ended (or the wait ran out) and the system is quiet, the ledger is checked.
/// </summary>
public static class FaultSuite
{
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan After = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Runs the faults <paramref name="options"/> names, or explains why it cannot (a system the harness did not start).</summary>
    public static async Task<IReadOnlyList<FaultReport>> RunAsync(
        SystemUnderTest system, double rate, LoadTestOptions options, IRunConsole console, CancellationToken cancellationToken)
    {
        if (system.Control is not { } control)
        {
            console.Line("faults: skipped, they kill parts of the system, which only a system the harness started allows (run without --Target)");
            return [];
        }

        var faults = Fault.Select(options);
        var warmUpStock = new Stock();
        await warmUpStock.FillAsync(system, cancellationToken);
        await PlaceOrders.WarmUpAsync(system, warmUpStock, rate, options, console, cancellationToken); // a cold system is slow for a minute
        var reports = new List<FaultReport>();
        foreach (var fault in faults)
        {
            console.Heading($"fault: {fault.Name}");
            reports.Add(await RunAsync(fault, system, control, rate, options, console, cancellationToken));
        }

        return reports;
    }

    private static async Task<FaultReport> RunAsync(
        Fault fault, SystemUnderTest system, IServiceControl control, double rate, LoadTestOptions options, IRunConsole console, CancellationToken cancellationToken)
    {
        var stock = new Stock();
        await stock.FillAsync(system, cancellationToken);
        var target = new FaultTarget(system, control, stock);
        var deadLetters = await Ledger.DeadLettersAsync(system, cancellationToken);
        var timing = new FaultTiming();
        var load = await console.WatchAsync(
            Invariant($"{fault.Name} at {rate:0.#} orders/s: {fault.Description}"),
            progress => new OrderLoad(system, stock, progress).RunAsync(
                rate,
                Before + fault.Outage + After,
                options.CompletionTimeout,
                (clock, token) => fault.InjectAsync(target, Before, timing, console, clock, token),
                cancellationToken));

        console.Line("Waiting for the system to go quiet, then checking the ledger");
        var ledger = await Ledger.CheckAsync(system, load, stock, deadLetters, expectedDeadLetters: 0, QuietTimeout, cancellationToken);
        if (fault.VerifyAsync is { } verify)
        {
            await verify(target, cancellationToken);
        }

        ledger = ledger with { FaultProblems = target.Problems, Findings = [.. ledger.Findings, .. target.Problems] };
        var report = new FaultReport(
            fault.Name,
            fault.Description,
            timing.OutageSeconds,
            timing.RecoverySeconds(load),
            ledger,
            LoadReport.From(fault.Name, load, report => ledger.Thresholds()))
        {
            Refusals = load.Orders.Where(o => o.OrderId is null).GroupBy(o => o.StatusCode).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
            Observations = target.Observations,
        };
        var recovery = report.RecoverySeconds?.ToString("0.#", CultureInfo.InvariantCulture) ?? "(never)";
        console.Line(Invariant(
            $"{fault.Name}: {ledger.Orders} orders, lost {ledger.Lost}, duplicated {ledger.Duplicated}, stuck {ledger.Stuck}, recovered in {recovery} s: {(ledger.Passed ? "pass" : "FAIL")}"));
        foreach (var line in target.Observations.Concat(ledger.Findings))
        {
            console.Line($"  {line}");
        }

        return report;
    }
}
