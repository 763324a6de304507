using System.Runtime.InteropServices;
using EcommerceEda.LoadTests;
using EcommerceEda.LoadTests.Reports;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

// dotnet run -c Release --project load-tests/EcommerceEda.LoadTests -- [scenario] [--Option=value ...]
var usage = $"Usage: eng/load-test.sh [{string.Join('|', LoadTestRun.Scenarios)}] [--Rate=orders/s] [--Duration=00:01:00] [--Target] " +
    "(see load-tests/README.md)";
var scenario = args.FirstOrDefault(arg => !arg.StartsWith('-'));
string[] settings = [.. args.Where(arg => arg != scenario).Select(arg => arg.Equals("--Target", StringComparison.OrdinalIgnoreCase) ? "--Target=true" : arg)];
LoadTestOptions options;
try
{
    options = new ConfigurationBuilder().AddCommandLine(settings).Build().Get<LoadTestOptions>() ?? new LoadTestOptions();
}
catch (InvalidOperationException exception)
{
    await Console.Error.WriteLineAsync($"{exception.Message} {exception.InnerException?.Message}\n{usage}");
    return 2;
}

options.Scenario = scenario ?? options.Scenario;
if (!LoadTestRun.Scenarios.Contains(options.Scenario))
{
    await Console.Error.WriteLineAsync($"Unknown scenario '{options.Scenario}'. {usage}");
    return 2;
}

IRunConsole console = Console.IsOutputRedirected ? new PlainConsole(Console.Out) : new LiveConsole();
// Ctrl+C or SIGTERM stops the run: the system it started is stopped and its data removed, no report is written. A
// second one ends the process at once.
using var cancel = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

RunReport report;
string folder;
try
{
    (report, folder) = await LoadTestRun.RunAsync(options, $"eng/load-test.sh {string.Join(' ', args)}".Trim(), console, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Stopped before the run ended: no report written.");
    return 130;
}

console.Heading("Report");
console.Line(File.ReadAllText(Path.Combine(folder, "report.md")));
console.Line($"Written to {folder} (report.md, report.json, report.html)");
if (!report.Correct)
{
    AnsiConsole.MarkupLine("[red]A correctness threshold failed (orders refused or not delivered, or the fault ledger): see the thresholds above.[/]");
    return 1;
}

return 0;

void Stop(PosixSignalContext signal)
{
    signal.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
}
