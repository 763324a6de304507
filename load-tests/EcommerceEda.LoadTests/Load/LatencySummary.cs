using HdrHistogram;

namespace EcommerceEda.LoadTests.Load;

/// <summary>Percentiles of a set of latencies, in milliseconds.</summary>
/// <param name="Count">How many were measured.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="P50">The median.</param>
/// <param name="P95">The 95th percentile.</param>
/// <param name="P99">The 99th percentile.</param>
/// <param name="Max">The slowest.</param>
public sealed record LatencySummary(long Count, double Mean, double P50, double P95, double P99, double Max)
{
    /// <summary>Nothing measured.</summary>
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0);

    /// <summary>Summarises <paramref name="milliseconds"/> through an HDR histogram (three significant digits).</summary>
    public static LatencySummary Of(IEnumerable<double> milliseconds)
    {
        var histogram = new LongHistogram(TimeSpan.FromHours(1).Ticks / 10, 3); // microseconds, up to an hour
        foreach (var value in milliseconds)
        {
            histogram.RecordValue(Math.Max(0, (long)Math.Round(value * 1_000)));
        }

        return histogram.TotalCount == 0
            ? Empty
            : new LatencySummary(
                histogram.TotalCount,
                Math.Round(histogram.GetMean() / 1_000, 1),
                Milliseconds(histogram.GetValueAtPercentile(50)),
                Milliseconds(histogram.GetValueAtPercentile(95)),
                Milliseconds(histogram.GetValueAtPercentile(99)),
                Milliseconds(histogram.GetMaxValue()));
    }

    private static double Milliseconds(long microseconds) => Math.Round(microseconds / 1_000.0, 1);
}
