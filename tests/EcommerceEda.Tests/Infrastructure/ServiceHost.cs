using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>Any one of the services' hosts, for a test that runs once per service.</summary>
public interface IServiceHost
{
    IServiceProvider Services { get; }

    HttpClient CreateClient();
}

/// <summary>
/// One service, hosted in the test process with its real Program, database and broker; only the HTTP
/// transport is in memory. <typeparamref name="TEntryPoint"/> is any type of the service's assembly.
/// <paramref name="built"/>, when given, sees the services before anything starts (to collect a metric from the
/// first event on).
/// </summary>
public sealed class ServiceHost<TEntryPoint>(IReadOnlyDictionary<string, string?> settings, Action<IServiceProvider>? built = null)
    : WebApplicationFactory<TEntryPoint>, IServiceHost
    where TEntryPoint : class
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private IHostApplicationLifetime? _lifetime; // once started, until stopped

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>
    /// Stops the service as its process would stop: the application is told to stop, and its Program's <c>Run</c>
    /// stops the host once (the bus finishes what it is consuming before anything else stops) and disposes it.
    /// WebApplicationFactory alone stops the host from here while that <c>Run</c> stops it too, and the two stops
    /// race: the services could be disposed under a consumer, whose message then failed and was dead-lettered.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _lifetime, null) is { } lifetime)
        {
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStopped.Register(stopped.SetResult))
            {
                lifetime.StopApplication();
                await stopped.Task.WaitAsync(StopTimeout);
            }
        }

        await base.DisposeAsync();
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = builder.Build();
        built?.Invoke(host.Services);
        host.Start();
        _lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        return host;
    }
}
