using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Reports;

namespace EcommerceEda.Tests.LoadTests;

public sealed class ReportTests
{
    [Fact]
    public void Latency_percentiles_come_from_the_values_recorded()
    {
        var summary = LatencySummary.Of(Enumerable.Range(1, 1_000).Select(i => (double)i));

        Assert.Equal(1_000, summary.Count);
        Assert.Equal(500.5, summary.Mean, precision: 0);
        Assert.InRange(summary.P50, 499, 501);
        Assert.InRange(summary.P99, 989, 991);
        Assert.InRange(summary.Max, 999, 1_001);
    }

    [Fact]
    public void Nothing_recorded_summarises_to_zeros()
    {
        Assert.Equal(LatencySummary.Empty, LatencySummary.Of([]));
    }

    [Fact]
    public void The_bound_spreads_an_order_over_the_database_and_the_broker()
    {
        // 20 commits at 2,000/s take 10 ms, 10 messages at 5,000/s take 2 ms: 1 / 12 ms = 83.3 orders/s.
        var bound = new Bound(
            PostgresPerSecond: 2_000, BrokerPerSecond: 5_000, CommitsPerOrder: 20, WritesPerOrder: 10, MessagesPerOrder: 10, Sustained: 50);

        Assert.Equal(83.3, bound.XStar);
        Assert.Equal(0.6, bound.Ratio);
        // 10 writes take 5 ms: 1 / 7 ms = 142.9 orders/s.
        Assert.Equal(142.9, bound.XStarWrites);
        Assert.Equal(0.35, bound.RatioWrites);
    }

    [Fact]
    public void An_order_costs_the_messages_of_every_queue_that_took_any()
    {
        var cost = new OrderCost(
            Orders: 100,
            CommitsByDatabase: new Dictionary<string, long> { ["orders"] = 600, ["support"] = 50 },
            Writes: 500,
            MessagesByQueue: new Dictionary<string, long> { ["events"] = 600, ["orders-fulfillment"] = 500, ["idle"] = 0 });

        Assert.Equal(6.5, cost.CommitsPerOrder);
        Assert.Equal(1_100, cost.Messages);
        Assert.Equal(11, cost.MessagesPerOrder);
        Assert.Equal(new Dictionary<string, double> { ["events"] = 6, ["orders-fulfillment"] = 5 }, cost.MessagesPerOrderByQueue);
    }

    [Fact]
    public void Markdown_renders_headings_paragraphs_and_tables_and_points_to_the_charts()
    {
        var markdown = ReportWriter.Markdown("Run", [
            new Heading("place-orders"),
            new Paragraph("10 orders/s"),
            new TableBlock(["a", "b"], [["1", "2"]]),
            new ChartBlock("throughput", "orders/s", []),
        ]);

        Assert.Equal(
            "# Run\n\n## place-orders\n\n10 orders/s\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n_Chart in report.html: throughput._\n",
            markdown);
    }
}
