using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
/// A stand-in for the people of a workflow (warehouse staff, couriers) for demos and load tests. Every poll
/// it runs its step with the time before which work is due; the step does that work through the same request
/// handlers a person's HTTP call reaches, so the simulated path is the real one.
/// </summary>
public sealed partial class Simulator(
    string name,
    SimulatorOptions options,
    Func<IServiceProvider, DateTimeOffset, CancellationToken, Task> step,
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
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(options.Delay.TotalMilliseconds / 4, 20, 1_000));
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

            await Task.Delay(poll, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
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
    /// <paramref name="step"/> does the work due before the time it is given, with a scope of its own.
    /// </summary>
    public static IHostApplicationBuilder AddSimulator(
        this IHostApplicationBuilder builder, string section, Func<IServiceProvider, DateTimeOffset, CancellationToken, Task> step)
    {
        var options = builder.Configuration.GetSection(section).Get<SimulatorOptions>() ?? new SimulatorOptions();
        builder.Services.AddSingleton<IHostedService>(services => ActivatorUtilities.CreateInstance<Simulator>(services, section, options, step));
        return builder;
    }
}
