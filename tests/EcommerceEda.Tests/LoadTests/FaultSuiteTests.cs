using EcommerceEda.LoadTests;
using EcommerceEda.LoadTests.Reports;

namespace EcommerceEda.Tests.LoadTests;

/// <summary>
/// The short fault suite, as <c>eng/load-test.sh faults</c> runs it at a small load: the database stopped at once,
/// every broker connection closed, the relay killed between the broker's confirm and marking its rows sent, a
/// consumer killed between its commit and its ack, a tenth of the deliveries duplicated and a tenth reordered,
/// poison dead-lettered then redriven. The full suite runs on demand (load-tests/README.md).
/// </summary>
[Collection(typeof(EndToEnd.EndToEnd))]
public sealed class FaultSuiteTests
{
    private const int LogLinesShown = 30;

    private static readonly string[] Faults =
        ["stop-postgres", "close-connections", "crash-relay-after-confirm", "crash-consumer-after-commit", "duplicate-reorder", "poison-redrive"];

    [Fact]
    public async Task Under_load_each_fault_of_the_short_suite_loses_duplicates_and_strands_nothing()
    {
        var options = new LoadTestOptions
        {
            Scenario = "faults",
            Faults = string.Join(',', Faults),
            Rate = 5,
            FaultOutage = TimeSpan.FromSeconds(5),
            WarmUp = TimeSpan.FromSeconds(10),
        };

        await RunAsync(
            options,
            $"eng/load-test.sh faults --Faults={options.Faults} --Rate=5 --FaultOutage=00:00:05 --WarmUp=00:00:10",
            async (report, folder, log) =>
            {
                Assert.Equal(Faults, report.Faults.Select(fault => fault.Name));
                Assert.All(report.Faults, fault =>
                {
                    Assert.True(fault.Ledger.Passed, $"{fault.Name}: {string.Join("; ", fault.Ledger.Findings)}\n{log}");
                    Assert.True(fault.Ledger.Orders >= 50, $"{fault.Name}: {fault.Ledger.Orders} orders");
                });
                // While PostgreSQL is down, Orders says so (503, try again) and stores nothing; it does not fail with a 500.
                Assert.Equal([503], report.Faults.Single(fault => fault.Name == "stop-postgres").Refusals.Keys);
                Assert.True(report.Correct, log);
                var markdown = await File.ReadAllTextAsync(Path.Combine(folder, "report.md"), TestContext.Current.CancellationToken);
                Assert.All(Faults, fault => Assert.Contains($"| {fault} |", markdown));
                Assert.Contains("Application started", await File.ReadAllTextAsync(Path.Combine(folder, "logs", "warehouse.log"), TestContext.Current.CancellationToken));
            });
    }

    [Fact]
    public async Task On_a_three_node_cluster_killing_the_node_that_leads_the_work_queues_loses_nothing_and_the_flow_resumes()
    {
        var options = new LoadTestOptions
        {
            Scenario = "faults",
            Faults = "kill-rabbitmq-leader",
            RabbitMqNodes = 3,
            Rate = 5,
            FaultOutage = TimeSpan.FromSeconds(5),
            WarmUp = TimeSpan.FromSeconds(10),
        };

        await RunAsync(
            options,
            "eng/load-test.sh faults --RabbitMqNodes=3 --Faults=kill-rabbitmq-leader --Rate=5 --FaultOutage=00:00:05 --WarmUp=00:00:10",
            (report, _, log) =>
            {
                var fault = Assert.Single(report.Faults);
                Assert.True(fault.Ledger.Passed, $"{string.Join("; ", fault.Ledger.Findings)}\n{log}");
                Assert.True(fault.Ledger.Orders >= 50, $"{fault.Ledger.Orders} orders");
                Assert.Contains(fault.Observations, observation => observation.Contains("work queues when it was killed", StringComparison.Ordinal));
                Assert.NotNull(fault.RecoverySeconds); // the backlog came back down to its steady size: the flow resumes
                return Task.CompletedTask;
            });
    }

    // Runs the harness with its results in a temporary folder and checks them; when the run or a check fails, the
    // failure carries the end of each log the run kept (the services', the broker's, the database's).
    private static async Task RunAsync(LoadTestOptions options, string command, Func<RunReport, string, string, Task> check)
    {
        var results = Directory.CreateTempSubdirectory("eda-faults-");
        options.Results = results.FullName;
        try
        {
            var log = new StringWriter();
            var (report, folder) = await LoadTestRun.RunAsync(options, command, new PlainConsole(log), TestContext.Current.CancellationToken);
            await check(report, folder, log.ToString());
        }
        catch (Exception exception) when (LogTails(results) is { Length: > 0 } tails)
        {
            throw new InvalidOperationException($"{exception.Message}\n\nThe end of each log the run kept:\n{tails}", exception);
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }

    private static string LogTails(DirectoryInfo results) => string.Join(
        '\n',
        results.EnumerateFiles("*.log", SearchOption.AllDirectories).OrderBy(file => file.Name).Select(file =>
            $"== {file.Name}\n{string.Join('\n', File.ReadLines(file.FullName).TakeLast(LogLinesShown))}"));
}
