using Aspire.Hosting;
using Aspire.Hosting.Testing;
using EcommerceEda.LoadTests.Target;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.EndToEnd;

/// <summary>
/// The whole system as <c>dotnet run --project AppHost</c> starts it, in Local infrastructure mode: the
/// AppHost's own RabbitMQ and PostgreSQL (on free ports, data in a temporary folder) and the four services.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    private LocalAppHost _host = null!;

    /// <summary>A client of <paramref name="service"/>, with a token of <paramref name="subject"/> in <paramref name="role"/>.</summary>
    public HttpClient CreateHttpClient(string service, string role, string subject = "e2e") =>
        App.CreateHttpClient(service, "http").As(role, subject, _host.SigningKey);

    public DistributedApplication App => _host.App;

    /// <summary>Where this AppHost keeps its broker's and its database's data.</summary>
    public string DataPath => _host.DataPath;

    /// <summary>The key this AppHost's services accept tokens signed with.</summary>
    public string SigningKey => _host.SigningKey;

    /// <summary>The running system as the load harness sees it; disposing it leaves the AppHost running.</summary>
    public Task<SystemUnderTest> SystemUnderTestAsync() => _host.AsSystemUnderTestAsync(owned: false, TestContext.Current.CancellationToken);

    public async ValueTask InitializeAsync() => _host = await LocalAppHost.StartAsync(
        ["--Simulators:Delay=00:00:00.500"], rabbitMqNodes: 1, logs: null, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();
}
