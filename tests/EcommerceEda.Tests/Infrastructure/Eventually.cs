using System.Runtime.CompilerServices;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>Waits on a condition with a timeout, checking it every few milliseconds.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Probes until <paramref name="done"/> holds and returns that value; fails with the last value seen.</summary>
    public static async Task<T> Until<T>(
        Func<Task<T>> probe,
        Func<T, bool> done,
        TimeSpan? timeout = null,
        [CallerArgumentExpression(nameof(done))] string? condition = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        T last;
        do
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(50, CancellationToken.None);
        }
        while (!deadline.IsCancellationRequested);

        throw new TimeoutException($"'{condition}' did not hold within {timeout ?? DefaultTimeout}; last value: {last}");
    }
}
