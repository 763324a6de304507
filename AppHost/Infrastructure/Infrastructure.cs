using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>How the AppHost gets its RabbitMQ and PostgreSQL.</summary>
public enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers or the model is published, else local.</summary>
    Auto,

    /// <summary>Aspire's RabbitMQ and PostgreSQL container resources.</summary>
    Containers,

    /// <summary>The machine's own <c>rabbitmq-server</c> and <c>postgres</c>, run as executable resources.</summary>
    Local,
}

/// <summary>The broker and the database server the services use, whichever way they were started.</summary>
public sealed class Infrastructure(
    InfrastructureMode mode,
    IResourceBuilder<IResourceWithConnectionString> rabbitMq,
    EndpointReference rabbitMqAmqp,
    EndpointReference rabbitMqManagement,
    IReadOnlyDictionary<string, ParameterResource> brokerPasswords,
    IResourceBuilder<IResourceWithConnectionString> postgres,
    EndpointReference postgresEndpoint,
    IReadOnlyDictionary<string, ParameterResource> databasePasswords)
{
    /// <summary><see cref="InfrastructureMode.Containers"/> or <see cref="InfrastructureMode.Local"/>.</summary>
    public InfrastructureMode Mode { get; } = mode;

    /// <summary>The broker; its connection string is the administrator's, which services do not use.</summary>
    public IResourceBuilder<IResourceWithConnectionString> RabbitMq { get; } = rabbitMq;

    /// <summary>The AMQP URI of <paramref name="service"/>'s own user (<see cref="BrokerAccount"/>).</summary>
    public ReferenceExpression BrokerConnectionString(string service) =>
        ReferenceExpression.Create(
            $"amqp://{BrokerAccount.For(service).User}:{brokerPasswords[service]}@{rabbitMqAmqp.Property(EndpointProperty.HostAndPort)}");

    /// <summary>RabbitMQ's management API and UI: the services read queue statistics from it.</summary>
    public EndpointReference RabbitMqManagement { get; } = rabbitMqManagement;

    /// <summary>The cluster's other nodes (Infrastructure:Local:RabbitMqNodes above 1); services wait for them too.</summary>
    public IReadOnlyList<IResourceBuilder<LocalRabbitMqResource>> RabbitMqClusterNodes { get; init; } = [];

    /// <summary>The other nodes' AMQP addresses (<c>host:port,...</c>), for <c>Messaging:Broker:Nodes</c>; empty for one node.</summary>
    public string RabbitMqClusterAddresses =>
        string.Join(',', RabbitMqClusterNodes.Select(node => $"127.0.0.1:{node.Resource.Node.Ports.Amqp}"));

    /// <summary>
    /// The server; wait for it: it is healthy once each service's role and database are provisioned
    /// (<see cref="ServiceDatabases"/>). Its connection string is the superuser's, which services do not use.
    /// </summary>
    public IResourceBuilder<IResourceWithConnectionString> Postgres { get; } = postgres;

    /// <summary>The connection string of <paramref name="service"/>'s database as its own role.</summary>
    public ReferenceExpression DatabaseConnectionString(string service) =>
        ReferenceExpression.Create(
            $"Host={postgresEndpoint.Property(EndpointProperty.Host)};Port={postgresEndpoint.Property(EndpointProperty.Port)};Username={service};Password={databasePasswords[service]};Database={service}");
}

public static class InfrastructureExtensions
{
    private const string BrokerUser = "eda";

    /// <summary>Adds RabbitMQ and PostgreSQL in the mode <c>Infrastructure:Mode</c> names.</summary>
    public static Infrastructure AddInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = builder.Configuration.GetValue("Infrastructure:Mode", InfrastructureMode.Auto);
        if (mode is InfrastructureMode.Auto)
        {
            // A published model describes what runs in production: images, whatever this machine has.
            mode = builder.ExecutionContext.IsPublishMode || ContainerRuntime.Answers() ? InfrastructureMode.Containers : InfrastructureMode.Local;
        }

        var rabbitMqPassword = builder.AddSecret("rabbitmq-password");
        var postgresPassword = builder.AddSecret("postgres-password");
        var services = BrokerAccount.ServiceNames;
        var brokerPasswords = services.ToDictionary(service => service, service => builder.AddSecret($"rabbitmq-{service}-password").Resource);
        var databasePasswords = services.ToDictionary(service => service, service => builder.AddSecret($"postgres-{service}-password").Resource);
        var infrastructure = mode is InfrastructureMode.Containers
            ? builder.AddContainers(rabbitMqPassword, brokerPasswords, postgresPassword, databasePasswords)
            : builder.AddLocal(rabbitMqPassword, brokerPasswords, postgresPassword, databasePasswords);
        infrastructure.Postgres.WithServiceDatabases(databasePasswords);
        return infrastructure;
    }

    /// <summary>
    /// A health check of the server that provisions each service's role and database as the superuser (once): services
    /// that wait for the server start only after it.
    /// </summary>
    private static void WithServiceDatabases(
        this IResourceBuilder<IResourceWithConnectionString> postgres, IReadOnlyDictionary<string, ParameterResource> passwords)
    {
        var healthCheck = $"{postgres.Resource.Name}-service-databases";
        var provisioned = false;
        postgres.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
        {
            if (provisioned)
            {
                return HealthCheckResult.Healthy();
            }

            try
            {
                await using var superuser = new NpgsqlConnection(
                    await postgres.Resource.ConnectionStringExpression.GetValueAsync(cancellationToken));
                await superuser.OpenAsync(cancellationToken);
                foreach (var (service, password) in passwords)
                {
                    await ServiceDatabases.EnsureRoleAsync(superuser, service, await password.GetValueAsync(cancellationToken) ?? "", cancellationToken);
                    await ServiceDatabases.EnsureDatabaseAsync(superuser, database: service, owner: service, cancellationToken);
                }

                provisioned = true;
                return HealthCheckResult.Healthy();
            }
            catch (NpgsqlException e)
            {
                return HealthCheckResult.Unhealthy("The services' roles and databases are not provisioned yet.", e);
            }
        });
        postgres.WithHealthCheck(healthCheck);
    }

    /// <summary>A password generated on the first run and kept in the AppHost's user secrets.</summary>
    private static IResourceBuilder<ParameterResource> AddSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);

    /// <summary>The services' broker users with their passwords, once the parameters have values.</summary>
    public static async Task<IReadOnlyList<BrokerLogin>> ResolveAsync(
        this IReadOnlyDictionary<string, ParameterResource> brokerPasswords, CancellationToken cancellationToken) =>
        await Task.WhenAll(brokerPasswords.Select(async entry =>
            new BrokerLogin(BrokerAccount.For(entry.Key), await entry.Value.GetValueAsync(cancellationToken) ?? "")));

    private static Infrastructure AddContainers(
        this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> rabbitMqPassword,
        IReadOnlyDictionary<string, ParameterResource> brokerPasswords,
        IResourceBuilder<ParameterResource> postgresPassword,
        IReadOnlyDictionary<string, ParameterResource> databasePasswords)
    {
        // The image reads /etc/rabbitmq/conf.d/*.conf; files belong to its rabbitmq user (999), only it reads them.
        const int RabbitMqUid = 999;
        var rabbitMq = builder.AddRabbitMQ("rabbitmq", builder.AddParameter("rabbitmq-user", BrokerUser), rabbitMqPassword)
            .WithManagementPlugin()
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS", string.Join(',', LocalRabbitMq.Plugins))
            .WithHttpEndpoint(targetPort: 15692, name: "prometheus") // rabbitmq_prometheus's /metrics
            .WithContainerFiles("/etc/rabbitmq", async (_, cancellationToken) =>
            [
                new ContainerFile
                {
                    Name = "definitions.json",
                    Contents = BrokerDefinitions.Json(
                        BrokerUser,
                        await rabbitMqPassword.Resource.GetValueAsync(cancellationToken) ?? "",
                        await brokerPasswords.ResolveAsync(cancellationToken)),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                },
                new ContainerDirectory
                {
                    Name = "conf.d",
                    Entries = [new ContainerFile { Name = "90-ecommerce-eda.conf", Contents = "load_definitions = /etc/rabbitmq/definitions.json\n" }],
                },
            ], defaultOwner: RabbitMqUid, defaultGroup: RabbitMqUid)
            .WithDataVolume();
        var postgres = builder.AddPostgres("postgres", password: postgresPassword).WithDataVolume();
        return new Infrastructure(
            InfrastructureMode.Containers,
            rabbitMq,
            rabbitMq.GetEndpoint("tcp"),
            rabbitMq.GetEndpoint("management"),
            brokerPasswords,
            postgres,
            postgres.GetEndpoint("tcp"),
            databasePasswords);
    }

    private static Infrastructure AddLocal(
        this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> rabbitMqPassword,
        IReadOnlyDictionary<string, ParameterResource> brokerPasswords,
        IResourceBuilder<ParameterResource> postgresPassword,
        IReadOnlyDictionary<string, ParameterResource> databasePasswords)
    {
        var settings = builder.Configuration.GetSection("Infrastructure:Local");
        var dataPath = Path.GetFullPath(settings["DataPath"] ?? "../.data", builder.AppHostDirectory);
        var ports = new RabbitMqPorts(
            settings.GetValue("RabbitMqPort", 35672),
            settings.GetValue("RabbitMqManagementPort", 35673),
            settings.GetValue("RabbitMqStreamPort", 35552),
            settings.GetValue("RabbitMqDistributionPort", 35674),
            settings.GetValue("RabbitMqPrometheusPort", 35675));
        var nodeCount = settings.GetValue("RabbitMqNodes", 1);
        if (nodeCount is < 1 or > 9)
        {
            throw new InvalidOperationException($"Infrastructure:Local:RabbitMqNodes is {nodeCount}: a cluster of 1 to 9 nodes.");
        }

        // Node n (from 0) listens on the first node's ports plus 10·n.
        var nodes = LocalRabbitMq.Locate(dataPath, [.. Enumerable.Range(0, nodeCount).Select(n => ports.Shifted(10 * n))]);
        var rabbitMq = builder.AddLocalRabbitMq("rabbitmq", nodes[0], BrokerUser, rabbitMqPassword, brokerPasswords);
        var others = nodes.Skip(1)
            .Select((node, i) => builder.AddLocalRabbitMq($"rabbitmq-{i + 2}", node, BrokerUser, rabbitMqPassword, brokerPasswords).WaitFor(rabbitMq))
            .ToList();
        var postgres = builder.AddLocalPostgres(
            "postgres", LocalPostgres.Locate(dataPath, settings.GetValue("PostgresPort", 35432)), postgresPassword);
        return new Infrastructure(
            InfrastructureMode.Local,
            rabbitMq,
            rabbitMq.GetEndpoint("tcp"),
            rabbitMq.GetEndpoint("management"),
            brokerPasswords,
            postgres,
            postgres.GetEndpoint("tcp"),
            databasePasswords)
        {
            RabbitMqClusterNodes = others,
        };
    }
}
