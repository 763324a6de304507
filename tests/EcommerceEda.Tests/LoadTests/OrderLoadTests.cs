using EcommerceEda.AppHost.Infrastructure;
using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Target;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.LoadTests;

/// <summary>The load generator itself, against addresses where nothing answers: what it does when a part of it fails.</summary>
public sealed class OrderLoadTests
{
    [Fact]
    public async Task A_load_whose_companion_task_fails_throws_that_failure_and_reports_no_progress_after_it()
    {
        var nowhere = LocalPorts.Free(1)[0]; // nothing listens there, and no other system of this process will
        var address = new Uri($"http://guest:guest@127.0.0.1:{nowhere}/");
        await using var system = new SystemUnderTest(
            address, address, $"Host=127.0.0.1;Port={nowhere};Username=nobody;Password=none", address, address, TestTokens.SigningKey, control: null, owner: null);
        var reported = 0;
        var load = new OrderLoad(system, new Stock(), _ => Interlocked.Increment(ref reported));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => load.RunAsync(
            rate: 2,
            duration: TimeSpan.FromSeconds(1.5),
            completionTimeout: TimeSpan.FromSeconds(30),
            during: (_, _) => Task.FromException(new InvalidOperationException("the scenario beside the load failed")),
            TestContext.Current.CancellationToken));

        Assert.Equal("the scenario beside the load failed", failure.Message);
        var reportedWhenItThrew = Volatile.Read(ref reported);
        Assert.InRange(reportedWhenItThrew, 1, 2); // a sample a second while it placed orders
        // Proving an absence takes a wait: a sampler left running would report again at each one-second tick.
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        Assert.Equal(reportedWhenItThrew, Volatile.Read(ref reported));
    }
}
