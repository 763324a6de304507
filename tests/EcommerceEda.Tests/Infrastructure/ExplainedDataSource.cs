using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>
/// A data source whose connections plan each statement once for all its parameters' values, as the services' do, and
/// log the plan of every statement they run: PostgreSQL's own, analysed (the rows each step read), sent to the session
/// by auto_explain and collected from Npgsql's log of notices. Needs the superuser, who may load auto_explain.
/// </summary>
public sealed class ExplainedDataSource(NpgsqlDataSource db, FakeLogCollector logs) : IAsyncDisposable
{
    private const string ChildrenKey = "Plans";

    public NpgsqlDataSource Db => db;

    /// <summary>Each plan logged so far, as the steps it ran: its tree of nodes, flattened.</summary>
    public IReadOnlyList<IReadOnlyList<JsonObject>> Plans =>
    [
        .. logs.GetSnapshot()
            .Select(log => log.Message)
            .Where(message => message.Contains("plan:", StringComparison.Ordinal))
            .Select(message => Steps(JsonNode.Parse(message[message.IndexOf('{', StringComparison.Ordinal)..])!["Plan"]!.AsObject()).ToList()),
    ];

    public static ExplainedDataSource Create(string superuserConnectionString)
    {
        var logs = new FakeLogCollector();
        var builder = new NpgsqlDataSourceBuilder(superuserConnectionString);
        builder.ConnectionStringBuilder.Options = $"{ServiceDatabaseExtensions.PlanOnce} -c session_preload_libraries=auto_explain"
            + " -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on -c auto_explain.log_format=json"
            + " -c client_min_messages=log";
        builder.UseLoggerFactory(LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Debug)
            .AddProvider(new FakeLoggerProvider(logs))));
        return new ExplainedDataSource(builder.Build(), logs);
    }

    /// <summary>
    /// At least <paramref name="plans"/> plans read <paramref name="table"/>, and none of them read it whole: no
    /// sequential scan, and no step that read more than a tenth of its <paramref name="rows"/> only to drop them.
    /// </summary>
    public void AssertNoWholeReadOf(string table, int plans, int rows)
    {
        var onTable = Plans.Select(plan => plan.Where(step => (string?)step["Relation Name"] == table).ToList()).Where(steps => steps.Count > 0).ToList();
        Assert.True(onTable.Count >= plans, $"{onTable.Count} plans on {table} logged, {plans} expected.");
        var steps = onTable.SelectMany(plan => plan).ToList();
        Assert.All(steps, step => Assert.NotNull(step["Actual Loops"])); // analysed: the rows dropped are measured
        Assert.DoesNotContain(steps, step => (string?)step["Node Type"] == "Seq Scan");
        Assert.DoesNotContain(steps, step => Dropped(step) > rows / 10);
    }

    public ValueTask DisposeAsync() => db.DisposeAsync();

    // auto_explain gives the rows a step dropped as an average per loop.
    private static double Dropped(JsonObject step) =>
        ((double?)step["Rows Removed by Filter"] ?? 0) * (double)step["Actual Loops"]!;

    private static IEnumerable<JsonObject> Steps(JsonObject node) =>
        [node, .. (node[ChildrenKey]?.AsArray() ?? []).SelectMany(child => Steps(child!.AsObject()))];
}
