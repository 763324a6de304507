using EcommerceEda.LoadTests;

namespace EcommerceEda.Tests.LoadTests;

/// <summary>
/// The short fault suite, as <c>eng/load-test.sh faults</c> runs it at a small load: a service killed, the database
/// stopped at once, every broker connection closed. The full suite runs on demand (load-tests/README.md).
/// </summary>
[Collection(typeof(EndToEnd.EndToEnd))]
public sealed class FaultSuiteTests
{
    private static readonly string[] Faults = ["kill-warehouse", "stop-postgres", "close-connections"];

    [Fact]
    public async Task Under_load_a_killed_service_a_stopped_database_and_closed_broker_connections_lose_duplicate_and_strand_nothing()
    {
        var results = Directory.CreateTempSubdirectory("eda-faults-");
        try
        {
            var log = new StringWriter();
            var options = new LoadTestOptions
            {
                Scenario = "faults",
                Faults = string.Join(',', Faults),
                Rate = 5,
                FaultOutage = TimeSpan.FromSeconds(5),
                Results = results.FullName,
            };

            var (report, folder) = await LoadTestRun.RunAsync(
                options, $"eng/load-test.sh faults --Faults={options.Faults} --Rate=5 --FaultOutage=00:00:05", new PlainConsole(log), TestContext.Current.CancellationToken);

            Assert.Equal(Faults, report.Faults.Select(fault => fault.Name));
            Assert.All(report.Faults, fault =>
            {
                Assert.True(fault.Ledger.Passed, $"{fault.Name}: {string.Join("; ", fault.Ledger.Findings)}\n{log}");
                Assert.True(fault.Ledger.Orders >= 50, $"{fault.Name}: {fault.Ledger.Orders} orders");
            });
            // While PostgreSQL is down, Orders says so (503, try again) and stores nothing; it does not fail with a 500.
            Assert.Equal([503], report.Faults.Single(fault => fault.Name == "stop-postgres").Refusals.Keys);
            Assert.True(report.Correct, log.ToString());
            var markdown = await File.ReadAllTextAsync(Path.Combine(folder, "report.md"), TestContext.Current.CancellationToken);
            Assert.All(Faults, fault => Assert.Contains($"| {fault} |", markdown));
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }
}
