using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>A local PostgreSQL server as an Aspire executable resource with a connection string.</summary>
public sealed class LocalPostgresResource(string name, LocalPostgres server, ParameterResource password)
    : ExecutableResource(name, server.Command, server.BaseDirectory), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host=127.0.0.1;Port={server.Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Password={password}");
}

/// <summary>A local RabbitMQ node as an Aspire executable resource with a connection string.</summary>
public sealed class LocalRabbitMqResource(string name, LocalRabbitMq node, string user, ParameterResource password)
    : ExecutableResource(name, node.Command, node.BaseDirectory), IResourceWithConnectionString
{
    /// <summary>The node it runs.</summary>
    public LocalRabbitMq Node { get; } = node;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{user}:{password}@127.0.0.1:{Node.Ports.Amqp.ToString(CultureInfo.InvariantCulture)}");
}

public static class LocalResourceExtensions
{
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, LocalPostgres server, IResourceBuilder<ParameterResource> password)
    {
        var healthCheck = $"{name}-ready";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
            await server.IsReadyAsync(await password.Resource.GetValueAsync(cancellationToken) ?? "", cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy());

        return builder.AddResource(new LocalPostgresResource(name, server, password.Resource))
            .WithArgs([.. server.Arguments])
            .WithEndpoint(port: server.Port, targetPort: server.Port, scheme: "tcp", name: "tcp", isProxied: false)
            .WithHealthCheck(healthCheck)
            .OnBeforeResourceStarted(async (_, _, cancellationToken) =>
                await server.PrepareAsync(await password.Resource.GetValueAsync(cancellationToken) ?? "", cancellationToken));
    }

    public static IResourceBuilder<LocalRabbitMqResource> AddLocalRabbitMq(
        this IDistributedApplicationBuilder builder,
        string name,
        LocalRabbitMq node,
        string user,
        IResourceBuilder<ParameterResource> password,
        IReadOnlyDictionary<string, ParameterResource> servicePasswords)
    {
        var healthCheck = $"{name}-ready";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
            await node.IsReadyAsync(user, await password.Resource.GetValueAsync(cancellationToken) ?? "", cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy());

        var resource = builder.AddResource(new LocalRabbitMqResource(name, node, user, password.Resource))
            .WithEndpoint(port: node.Ports.Amqp, targetPort: node.Ports.Amqp, scheme: "tcp", name: "tcp", isProxied: false)
            .WithEndpoint(port: node.Ports.Management, targetPort: node.Ports.Management, scheme: "http", name: "management", isProxied: false)
            .WithEndpoint(port: node.Ports.Prometheus, targetPort: node.Ports.Prometheus, scheme: "http", name: "prometheus", isProxied: false)
            .WithHealthCheck(healthCheck)
            .OnBeforeResourceStarted(async (_, _, cancellationToken) =>
                await node.PrepareAsync(
                    user,
                    await password.Resource.GetValueAsync(cancellationToken) ?? "",
                    await servicePasswords.ResolveAsync(cancellationToken),
                    cancellationToken));
        foreach (var (variable, value) in node.Environment)
        {
            resource.WithEnvironment(variable, value);
        }

        return resource;
    }
}
