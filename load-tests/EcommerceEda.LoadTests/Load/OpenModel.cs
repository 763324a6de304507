using System.Diagnostics;

namespace EcommerceEda.LoadTests.Load;

/// <summary>
/// An open workload: arrivals at a fixed rate whether or not earlier ones have finished, as customers arrive
/// at a shop. Each arrival is told when it was due, so a slow system cannot hide its latency by slowing the
/// load down (coordinated omission).
/// </summary>
public static class OpenModel
{
    /// <summary>Starts <paramref name="arrival"/> <paramref name="rate"/> times a second for <paramref name="duration"/>, then waits for all.</summary>
    /// <param name="rate">Arrivals per second.</param>
    /// <param name="duration">How long arrivals keep coming.</param>
    /// <param name="clock">The run's clock: arrivals are given their due time on it.</param>
    /// <param name="arrival">One arrival, given its due time.</param>
    /// <param name="cancellationToken">Stops new arrivals.</param>
    public static async Task RunAsync(
        double rate, TimeSpan duration, Stopwatch clock, Func<TimeSpan, Task> arrival, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        var start = clock.Elapsed;
        var count = (long)Math.Round(rate * duration.TotalSeconds);
        var running = new List<Task>((int)Math.Min(count, 1_000_000));
        for (var i = 0L; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            var due = start + TimeSpan.FromSeconds(i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, CancellationToken.None);
            }

            running.Add(Task.Run(() => arrival(due), CancellationToken.None));
        }

        await Task.WhenAll(running);
    }
}
