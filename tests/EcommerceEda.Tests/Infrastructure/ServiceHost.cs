using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>
/// One service, hosted in the test process with its real Program, database and broker; only the HTTP
/// transport is in memory. <typeparamref name="TEntryPoint"/> is any type of the service's assembly.
/// </summary>
public sealed class ServiceHost<TEntryPoint>(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
