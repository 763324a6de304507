using System.Diagnostics;

namespace EcommerceEda.LoadTests.Baselines;

/// <summary>A raw limit at one concurrency.</summary>
/// <param name="Concurrency">Workers running at once.</param>
/// <param name="PerSecond">Operations completed per second.</param>
public sealed record BaselineLevel(int Concurrency, double PerSecond);

/// <summary>A raw limit of the machine, measured at several concurrencies; the best one counts.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Levels">Each concurrency tried.</param>
public sealed record BaselineResult(string Name, IReadOnlyList<BaselineLevel> Levels)
{
    /// <summary>The concurrency that did most per second.</summary>
    public BaselineLevel Best => Levels.MaxBy(level => level.PerSecond)!;
}

/// <summary>Runs one operation with a number of workers at once and counts how many complete per second.</summary>
public static class Baseline
{
    /// <summary>How long each concurrency is measured, after a short warm-up.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Measures <paramref name="operation"/> at each of <paramref name="concurrencies"/>; each worker gets its
    /// number and loops until told to stop. <paramref name="prepare"/> readies the workers of a concurrency first.
    /// </summary>
    public static async Task<BaselineResult> MeasureAsync(
        string name,
        IEnumerable<int> concurrencies,
        Func<int, CancellationToken, Task> operation,
        Action<BaselineLevel> progress,
        CancellationToken cancellationToken,
        Func<int, Task>? prepare = null)
    {
        var levels = new List<BaselineLevel>();
        foreach (var concurrency in concurrencies)
        {
            await (prepare?.Invoke(concurrency) ?? Task.CompletedTask);
            var level = new BaselineLevel(concurrency, await RateAsync(concurrency, operation, cancellationToken));
            levels.Add(level);
            progress(level);
        }

        return new BaselineResult(name, levels);
    }

    private static async Task<double> RateAsync(int concurrency, Func<int, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var counted = 0L;
        var counting = false;
        var clock = new Stopwatch();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(
            async () =>
            {
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await operation(worker, stop.Token);
                        if (Volatile.Read(ref counting))
                        {
                            Interlocked.Increment(ref counted);
                        }
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // the window closed during an operation: it does not count
                }
            },
            CancellationToken.None)).ToList();

        await Task.Delay(WarmUp, cancellationToken);
        clock.Start();
        Volatile.Write(ref counting, true);
        await Task.Delay(Window, cancellationToken);
        Volatile.Write(ref counting, false);
        clock.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        return Math.Round(Interlocked.Read(ref counted) / clock.Elapsed.TotalSeconds);
    }
}
