using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>
/// One service, hosted in the test process with its real Program, database and broker; only the HTTP
/// transport is in memory. <typeparamref name="TEntryPoint"/> is any type of the service's assembly.
/// <paramref name="built"/>, when given, sees the services before anything starts (to collect a metric from the
/// first event on).
/// </summary>
public sealed class ServiceHost<TEntryPoint>(IReadOnlyDictionary<string, string?> settings, Action<IServiceProvider>? built = null)
    : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = builder.Build();
        built?.Invoke(host.Services);
        host.Start();
        return host;
    }
}
