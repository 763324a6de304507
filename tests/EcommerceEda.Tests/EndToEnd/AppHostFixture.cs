using Aspire.Hosting;
using Aspire.Hosting.Testing;
using EcommerceEda.LoadTests.Target;

namespace EcommerceEda.Tests.EndToEnd;

/// <summary>
/// The whole system as <c>dotnet run --project AppHost</c> starts it, in Local infrastructure mode: the
/// AppHost's own RabbitMQ and PostgreSQL (on free ports, data in a temporary folder) and the four services.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    public static readonly string[] Services = LocalAppHost.Services;

    public const string OpsKey = "e2e-operator-key";

    private LocalAppHost _host = null!;

    public HttpClient CreateHttpClient(string service) => App.CreateHttpClient(service, "http");

    public DistributedApplication App => _host.App;

    /// <summary>The running system as the load harness sees it; disposing it leaves the AppHost running.</summary>
    public Task<SystemUnderTest> SystemUnderTestAsync() => _host.AsSystemUnderTestAsync(owned: false, TestContext.Current.CancellationToken);

    public async ValueTask InitializeAsync() => _host = await LocalAppHost.StartAsync(
        [$"--Parameters:ops-key={OpsKey}", "--Simulators:Delay=00:00:00.500"], rabbitMqNodes: 1, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();
}
