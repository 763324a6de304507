using System.Globalization;
using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Reports;
using EcommerceEda.LoadTests.Target;

namespace EcommerceEda.LoadTests.Scenarios;

/// <summary>
/// Raises the arrival rate step by step (×1.5) until the system stops keeping up, then halves, three times, the gap
/// between the highest rate sustained and the lowest failed: between 50.7/s sustained and 76.1/s not, say, the two end
/// within 3.2/s of each other (a sixteenth of the lower). A rate is sustainable when every order is accepted and ends,
/// and the p99 of the API call and of placed → delivered stay under the limit (a growing backlog shows there first).
/// </summary>
public static class FindMax
{
    private const double Growth = 1.5;
    private const int Refinements = 3;
    private const int MaxSteps = 12;
    private static readonly TimeSpan CompletionTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs the steps.</summary>
    public static async Task<FindMaxReport> RunAsync(
        SystemUnderTest system, Stock stock, LoadTestOptions options, IRunConsole console, CancellationToken cancellationToken)
    {
        await PlaceOrders.WarmUpAsync(system, stock, options.FindMaxFrom, options, console, cancellationToken);
        var steps = new List<FindMaxStep>();
        double good = 0, bad = double.PositiveInfinity, rate = options.FindMaxFrom;
        var refinements = 0;
        while (steps.Count < MaxSteps && refinements <= Refinements)
        {
            var step = await StepAsync(rate);
            steps.Add(step);
            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"{rate:0.#}/s: {(step.Sustainable ? "sustained" : "not sustained")} (p99 placed → delivered {step.Load.EndToEnd.P99} ms, HTTP p99 {step.Load.Http.P99} ms, refused {step.Load.Failed}, unfinished {step.Load.Unfinished})"));
            if (step.Sustainable)
            {
                good = rate;
            }
            else
            {
                bad = rate;
            }

            if (!double.IsPositiveInfinity(bad))
            {
                refinements++;
            }

            rate = double.IsPositiveInfinity(bad) ? Math.Round(rate * Growth, 1) : Math.Round((good + bad) / 2, 1);
            if (good == 0 && !double.IsPositiveInfinity(bad))
            {
                break; // not even the first rate: nothing below it is worth searching here
            }
        }

        return new FindMaxReport(steps, options.FindMaxP99Ms);

        async Task<FindMaxStep> StepAsync(double stepRate)
        {
            var load = await console.WatchAsync(
                string.Create(CultureInfo.InvariantCulture, $"find-max: {stepRate:0.#}/s for {options.FindMaxStep.TotalSeconds:0} s"),
                progress => new OrderLoad(system, stock, progress).RunAsync(stepRate, options.FindMaxStep, CompletionTimeout, during: null, cancellationToken));
            var report = LoadReport.From(string.Create(CultureInfo.InvariantCulture, $"find-max {stepRate:0.#}/s"), load, report =>
            [
                .. report.Correctness(),
                new Threshold("p99 placed → delivered", $"< {options.FindMaxP99Ms} ms", $"{report.EndToEnd.P99} ms", report.EndToEnd.P99 < options.FindMaxP99Ms),
                new Threshold("p99 POST /api/orders", $"< {options.FindMaxP99Ms} ms", $"{report.Http.P99} ms", report.Http.P99 < options.FindMaxP99Ms),
            ]);
            return new FindMaxStep(report, report.Thresholds.All(t => t.Passed));
        }
    }
}
