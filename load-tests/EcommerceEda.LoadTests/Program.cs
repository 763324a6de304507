using EcommerceEda.LoadTests;
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
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var (report, folder) = await LoadTestRun.RunAsync(options, $"eng/load-test.sh {string.Join(' ', args)}".Trim(), console, cancel.Token);
console.Heading("Report");
console.Line(File.ReadAllText(Path.Combine(folder, "report.md")));
console.Line($"Written to {folder} (report.md, report.json, report.html)");
if (!report.Correct)
{
    AnsiConsole.MarkupLine("[red]A correctness threshold failed (orders refused or not delivered, or the fault ledger): see the thresholds above.[/]");
    return 1;
}

return 0;
