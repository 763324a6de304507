using EcommerceEda.ServiceDefaults.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EcommerceEda.ServiceDefaults.Simulation;

/// <summary>Settings of a simulator (a configuration section such as <c>Warehouse:Simulator</c>).</summary>
public sealed class SimulatorOptions
{
    /// <summary>Whether the simulator runs. On under the AppHost, off in tests that play the person themselves.</summary>
    public bool Enabled { get; set; }

    /// <summary>How long the simulated person takes: work is done once it is this old.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// A stand-in for the people of a workflow (warehouse staff, couriers) for demos and load tests. It runs its step
/// with the time before which work is due; the step does that work through the same request handlers a person's
/// HTTP call reaches, so the simulated path is the real one. It runs the step every quarter of its delay, and,
/// when given <paramref name="wakeUp"/>, as soon as new work is committed: at zero delay that is its only trigger
/// (with a poll a second for safety), so an idle simulator costs nothing and a busy one adds no wait.
/// </summary>
public sealed partial class Simulator(
    string name,
    SimulatorOptions options,
    Func<IServiceProvider, DateTimeOffset, CancellationToken, Task> step,
    PostgresNotifications? wakeUp,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<Simulator> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        LogStarted(name, options.Delay.TotalMilliseconds);
        var listening = wakeUp?.ListenAsync(stoppingToken) ?? Task.CompletedTask;
        var poll = wakeUp is not null && options.Delay == TimeSpan.Zero
            ? TimeSpan.FromSeconds(1)
            : TimeSpan.FromMilliseconds(Math.Clamp(options.Delay.TotalMilliseconds / 4, 20, 1_000));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await step(scope.ServiceProvider, clock.GetUtcNow() - options.Delay, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogFailed(exception, name);
            }

            await (wakeUp is null ? Task.Delay(poll, clock, stoppingToken) : wakeUp.WaitAsync(poll, stoppingToken))
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await listening;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        wakeUp?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "The {Simulator} simulator is on: work is done {DelayMs:0} ms after it appears")]
    private partial void LogStarted(string simulator, double delayMs);

    [LoggerMessage(LogLevel.Warning, "The {Simulator} simulator failed; trying again")]
    private partial void LogFailed(Exception exception, string simulator);
}

/// <summary>Registers simulators.</summary>
public static class SimulatorExtensions
{
    /// <summary>
    /// Adds a simulator configured by <paramref name="section"/> (<c>Enabled</c>, <c>Delay</c>) whose
    /// <paramref name="step"/> does the work due before the time it is given, with a scope of its own. When a
    /// trigger on the work's table notifies <paramref name="wakeUpChannel"/>, new work wakes it at once.
    /// </summary>
    public static IHostApplicationBuilder AddSimulator(
        this IHostApplicationBuilder builder,
        string section,
        Func<IServiceProvider, DateTimeOffset, CancellationToken, Task> step,
        string? wakeUpChannel = null)
    {
        var options = builder.Configuration.GetSection(section).Get<SimulatorOptions>() ?? new SimulatorOptions();
        builder.Services.AddSingleton<IHostedService>(services =>
        {
            var logger = services.GetRequiredService<ILogger<Simulator>>();
            var wakeUp = wakeUpChannel is null
                ? null
                : new PostgresNotifications(services.GetRequiredService<NpgsqlDataSource>(), wakeUpChannel, logger);
            return new Simulator(
                section, options, step, wakeUp, services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<TimeProvider>(), logger);
        });
        return builder;
    }
}
