using System.Diagnostics;
using EcommerceEda.AppHost.Infrastructure;
using EcommerceEda.LoadTests;

namespace EcommerceEda.Tests.LoadTests;

/// <summary>The harness's smoke mode, as <c>eng/load-test.sh smoke</c> runs it: it starts its own system.</summary>
[Collection(typeof(EndToEnd.EndToEnd))]
public sealed class LoadHarnessSmokeTests
{
    [Fact]
    public async Task Smoke_mode_delivers_every_order_it_places_and_writes_the_report_with_charts()
    {
        var results = Directory.CreateTempSubdirectory("eda-load-smoke-");
        try
        {
            var log = new StringWriter();
            var options = new LoadTestOptions { Scenario = "smoke", Results = results.FullName };

            var (report, folder) = await LoadTestRun.RunAsync(options, "eng/load-test.sh smoke", new PlainConsole(log), TestContext.Current.CancellationToken);

            var smoke = report.PlaceOrders!;
            Assert.True(report.Correct, log.ToString());
            Assert.Equal(20, smoke.Accepted);
            Assert.Equal(smoke.Accepted, smoke.Delivered);
            Assert.Equal(20, smoke.EndToEnd.Count);
            // Every hop of the flow, once per order, timed by the outbox and inbox rows it left, in the order's order.
            Assert.Equal(
                [
                    "orders:order-placed:v1", "warehouse:reserve-stock:v1", "warehouse:stock-reserved:v1", "warehouse:pick-order:v1",
                    "warehouse:order-picked:v1", "delivery:ship-order:v1", "delivery:order-shipped:v1", "delivery:order-delivered:v1",
                ],
                report.Hops.Select(hop => hop.Message["urn:message:".Length..]));
            Assert.All(report.Hops, hop => Assert.Equal(20, hop.Latency.Count));
            Assert.All(report.Hops, hop => Assert.InRange(hop.Latency.P50, 0.1, 10_000)); // neither nothing nor off by hours
            var markdown = await File.ReadAllTextAsync(Path.Combine(folder, "report.md"), TestContext.Current.CancellationToken);
            Assert.Contains("| accepted orders delivered | 20 | 20 | pass |", markdown);
            Assert.Contains("| urn:message:warehouse:reserve-stock:v1 | orders | warehouse: warehouse-reserve-stock | 20 |", markdown);
            Assert.Equal(2, CountOf("<svg", await File.ReadAllTextAsync(Path.Combine(folder, "report.html"), TestContext.Current.CancellationToken)));
            Assert.Contains("\"delivered\": 20", await File.ReadAllTextAsync(Path.Combine(folder, "report.json"), TestContext.Current.CancellationToken));
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Place_orders_measures_only_its_own_orders_and_spreads_the_cost_over_its_lead_in_as_well()
    {
        var results = Directory.CreateTempSubdirectory("eda-load-place-orders-");
        try
        {
            var log = new StringWriter();
            var options = new LoadTestOptions
            {
                Scenario = "place-orders",
                Rate = 5,
                WarmUp = TimeSpan.Zero,
                Duration = TimeSpan.FromSeconds(4),
                Results = results.FullName,
            };

            var (report, _) = await LoadTestRun.RunAsync(
                options, "eng/load-test.sh place-orders --Rate=5 --WarmUp=00:00:00 --Duration=00:00:04", new PlainConsole(log), TestContext.Current.CancellationToken);

            // The measured load follows a lead-in of 10 s at once: the lead-in's last orders are still on their way
            // when it starts, and their hops are not the load's.
            var load = report.PlaceOrders!;
            Assert.True(report.Correct, log.ToString());
            Assert.Equal(20, load.Accepted);
            Assert.Equal(20, load.EndToEnd.Count);
            Assert.Equal(8, report.Hops.Count);
            Assert.All(report.Hops, hop => Assert.Equal(20, hop.Latency.Count));
            // The counters are read, settled, around both: every message of the seventy orders, fifteen each.
            Assert.Equal(70, report.Cost!.Orders);
            Assert.Equal(15, report.Cost.MessagesPerOrder);
            Assert.Equal(20, report.Cpu!.Orders);
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_run_stopped_with_SIGTERM_stops_its_system_removes_its_data_and_writes_no_report()
    {
        var results = Directory.CreateTempSubdirectory("eda-load-stopped-");
        try
        {
            var harness = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "EcommerceEda.LoadTests.dll"), "smoke", $"--Results={results.FullName}" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var run = Process.Start(harness)!;
            var errors = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            deadline.CancelAfter(TimeSpan.FromMinutes(4));

            // Its system is up and the load has begun: stop it as a terminal or a CI runner would.
            var dataPath = (await ReadUntilAsync(run.StandardOutput, "Its data: ", deadline.Token))["Its data: ".Length..].Split(' ')[0];
            await ReadUntilAsync(run.StandardOutput, "smoke:", deadline.Token);
            Assert.True(Directory.Exists(dataPath), dataPath);
            await HostCommand.RunAsync("kill", ["-TERM", $"{run.Id}"], deadline.Token);

            var rest = run.StandardOutput.ReadToEndAsync(deadline.Token);
            await run.WaitForExitAsync(deadline.Token);
            Assert.True(130 == run.ExitCode, $"exit code {run.ExitCode}\n{await rest}\n{await errors}");
            Assert.Contains("Stopped before the run ended: no report written.", await errors);
            Assert.False(Directory.Exists(dataPath), $"{dataPath} is still there");
            Assert.Empty(results.EnumerateFileSystemInfos());
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    private static async Task<string> ReadUntilAsync(StreamReader output, string start, CancellationToken cancellationToken)
    {
        while (await output.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(start, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"The harness ended without a line starting '{start}'.");
    }

    private static int CountOf(string value, string text) => text.Split(value).Length - 1;
}
