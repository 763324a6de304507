using Aspire.Hosting;
using Aspire.Hosting.Testing;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.EndToEnd;

/// <summary>
/// The whole system as <c>dotnet run --project AppHost</c> starts it, in Local infrastructure mode: the
/// AppHost's own RabbitMQ and PostgreSQL (on free ports, data in a temporary folder) and the four services.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["orders", "warehouse", "delivery", "support"];

    public const string OpsKey = "e2e-operator-key";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), $"ecommerce-eda-e2e-{Guid.NewGuid():N}"[..30]);
    private DistributedApplication _app = null!;

    public HttpClient CreateHttpClient(string service) => _app.CreateHttpClient(service, "http");

    public DistributedApplication App => _app;

    public async ValueTask InitializeAsync()
    {
        var ports = TestInfrastructure.FreePorts(5);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
        [
            "--Infrastructure:Mode=Local",
            $"--Infrastructure:Local:DataPath={_dataPath}",
            $"--Infrastructure:Local:PostgresPort={ports[0]}",
            $"--Infrastructure:Local:RabbitMqPort={ports[1]}",
            $"--Infrastructure:Local:RabbitMqManagementPort={ports[2]}",
            $"--Infrastructure:Local:RabbitMqStreamPort={ports[3]}",
            $"--Infrastructure:Local:RabbitMqDistributionPort={ports[4]}",
            $"--Parameters:postgres-password={Guid.NewGuid():N}",
            $"--Parameters:rabbitmq-password={Guid.NewGuid():N}",
            $"--Parameters:ops-key={OpsKey}",
            "--Simulators:Delay=00:00:00.500",
        ], TestContext.Current.CancellationToken);
        _app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StartTimeout);
        await _app.StartAsync(timeout.Token);
        await Task.WhenAll(Services.Select(service => _app.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
