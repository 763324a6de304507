using Microsoft.Extensions.Configuration;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>How the AppHost gets its RabbitMQ and PostgreSQL.</summary>
public enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers, else local.</summary>
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
    EndpointReference rabbitMqManagement,
    IResourceBuilder<IResource> postgres,
    Func<string, string, IResourceBuilder<IResourceWithConnectionString>> addDatabase)
{
    /// <summary><see cref="InfrastructureMode.Containers"/> or <see cref="InfrastructureMode.Local"/>.</summary>
    public InfrastructureMode Mode { get; } = mode;

    public IResourceBuilder<IResourceWithConnectionString> RabbitMq { get; } = rabbitMq;

    /// <summary>RabbitMQ's management API and UI: the services read queue statistics from it.</summary>
    public EndpointReference RabbitMqManagement { get; } = rabbitMqManagement;

    /// <summary>The cluster's other nodes (Infrastructure:Local:RabbitMqNodes above 1); services wait for them too.</summary>
    public IReadOnlyList<IResourceBuilder<LocalRabbitMqResource>> RabbitMqClusterNodes { get; init; } = [];

    /// <summary>The other nodes' AMQP addresses (<c>host:port,...</c>), for <c>Messaging:Broker:Nodes</c>; empty for one node.</summary>
    public string RabbitMqClusterAddresses =>
        string.Join(',', RabbitMqClusterNodes.Select(node => $"127.0.0.1:{node.Resource.Node.Ports.Amqp}"));

    /// <summary>The server; wait for it, and reference a database made by <see cref="AddDatabase"/>.</summary>
    public IResourceBuilder<IResource> Postgres { get; } = postgres;

    /// <summary>A database of its own for one service; the service creates it and its schema on start.</summary>
    public IResourceBuilder<IResourceWithConnectionString> AddDatabase(string name, string databaseName) =>
        addDatabase(name, databaseName);
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
            mode = ContainerRuntime.Answers() ? InfrastructureMode.Containers : InfrastructureMode.Local;
        }

        var secret = new GenerateParameterDefault { MinLength = 24, Special = false };
        var rabbitMqPassword = builder.AddParameter("rabbitmq-password", secret, secret: true, persist: true);
        var postgresPassword = builder.AddParameter("postgres-password", secret, secret: true, persist: true);
        return mode is InfrastructureMode.Containers
            ? builder.AddContainers(rabbitMqPassword, postgresPassword)
            : builder.AddLocal(rabbitMqPassword, postgresPassword);
    }

    private static Infrastructure AddContainers(
        this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> rabbitMqPassword,
        IResourceBuilder<ParameterResource> postgresPassword)
    {
        var rabbitMq = builder.AddRabbitMQ("rabbitmq", builder.AddParameter("rabbitmq-user", BrokerUser), rabbitMqPassword)
            .WithManagementPlugin()
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS", "rabbitmq_management,rabbitmq_stream")
            .WithDataVolume();
        var postgres = builder.AddPostgres("postgres", password: postgresPassword).WithDataVolume();
        return new Infrastructure(
            InfrastructureMode.Containers,
            rabbitMq,
            rabbitMq.GetEndpoint("management"),
            postgres,
            (name, databaseName) => postgres.AddDatabase(name, databaseName));
    }

    private static Infrastructure AddLocal(
        this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> rabbitMqPassword,
        IResourceBuilder<ParameterResource> postgresPassword)
    {
        var settings = builder.Configuration.GetSection("Infrastructure:Local");
        var dataPath = Path.GetFullPath(settings["DataPath"] ?? "../.data", builder.AppHostDirectory);
        var ports = new RabbitMqPorts(
            settings.GetValue("RabbitMqPort", 35672),
            settings.GetValue("RabbitMqManagementPort", 35673),
            settings.GetValue("RabbitMqStreamPort", 35552),
            settings.GetValue("RabbitMqDistributionPort", 35674));
        var nodeCount = settings.GetValue("RabbitMqNodes", 1);
        if (nodeCount is < 1 or > 9)
        {
            throw new InvalidOperationException($"Infrastructure:Local:RabbitMqNodes is {nodeCount}: a cluster of 1 to 9 nodes.");
        }

        // Node n (from 0) listens on the first node's ports plus 10·n.
        var nodes = LocalRabbitMq.Locate(dataPath, [.. Enumerable.Range(0, nodeCount).Select(n => ports.Shifted(10 * n))]);
        var rabbitMq = builder.AddLocalRabbitMq("rabbitmq", nodes[0], BrokerUser, rabbitMqPassword);
        var others = nodes.Skip(1)
            .Select((node, i) => builder.AddLocalRabbitMq($"rabbitmq-{i + 2}", node, BrokerUser, rabbitMqPassword).WaitFor(rabbitMq))
            .ToList();
        var postgres = builder.AddLocalPostgres(
            "postgres", LocalPostgres.Locate(dataPath, settings.GetValue("PostgresPort", 35432)), postgresPassword);
        return new Infrastructure(
            InfrastructureMode.Local,
            rabbitMq,
            rabbitMq.GetEndpoint("management"),
            postgres,
            (name, databaseName) => builder.AddResource(new LocalPostgresDatabaseResource(name, databaseName, postgres.Resource)))
        {
            RabbitMqClusterNodes = others,
        };
    }
}
