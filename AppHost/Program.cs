using System.Globalization;
using EcommerceEda.AppHost;
using EcommerceEda.AppHost.Infrastructure;
using EcommerceEda.AppHost.Security;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

// RabbitMQ and PostgreSQL: containers when Docker answers, else the machine's own binaries.
var infrastructure = builder.AddInfrastructure();
var rabbitMq = infrastructure.RabbitMq;
var postgres = infrastructure.Postgres;

// The services accept JWTs signed with this key, the one `dotnet user-jwts create --project AppHost` signs with.
var signingKey = builder.AddTokenSigningKey();

// The people of the workflow (warehouse staff, couriers) are simulated unless Simulators:Enabled is false; a published
// model (the deployment in deploy/) leaves them to real people.
var simulators = builder.Configuration.GetSection("Simulators");
var simulated = simulators.GetValue("Enabled", !builder.ExecutionContext.IsPublishMode).ToString();
var simulatedDelay = simulators.GetValue("Delay", TimeSpan.FromSeconds(2)).ToString("c", CultureInfo.InvariantCulture);

// Telemetry goes to the dashboard; Telemetry:Export=false keeps it in the services (the load tests run no dashboard).
var exportTelemetry = builder.Configuration.GetValue("Telemetry:Export", true);

// Faults:Enabled=true opens /ops/faults on every service, for the fault suite to crash them at chosen moments.
var faultInjection = builder.Configuration.GetValue("Faults:Enabled", false).ToString();

// Each service: a fixed port, a database of its own on the shared server as its own role, the broker as its own user.
var orders = AddService<Projects.Orders>("orders", port: 5101);
if (builder.Configuration["Fulfillment:PickTimeout"] is { } pickTimeout) // the pick SLA, shorter in the fault suite
{
    orders.WithEnvironment("Orders__Fulfillment__PickTimeout", pickTimeout);
}

if (builder.Configuration["Api:RateLimit:PermitsPerSecond"] is { } permits) // orders a customer may place a second; 0 for the load tests
{
    orders.WithEnvironment("Api__RateLimit__PermitsPerSecond", permits);
}

AddService<Projects.Warehouse>("warehouse", port: 5102)
    .WithEnvironment("Warehouse__Simulator__Enabled", simulated)
    .WithEnvironment("Warehouse__Simulator__Delay", simulatedDelay);
AddService<Projects.Delivery>("delivery", port: 5103)
    .WithEnvironment("Delivery__Simulator__Enabled", simulated)
    .WithEnvironment("Delivery__Simulator__Delay", simulatedDelay);
AddService<Projects.Support>("support", port: 5104);

builder.Build().Run();

IResourceBuilder<ProjectResource> AddService<TProject>(string name, int port)
    where TProject : IProjectMetadata, new()
{
    var service = builder.AddProject<TProject>(name)
        .WithHttpEndpoint(port: port)
        .WithUrlForEndpoint("http", _ => new() { Url = "/scalar/v1", DisplayText = "API reference" })
        .WithHttpHealthCheck("/health")
        .WithEnvironment($"ConnectionStrings__{name}-db", infrastructure.DatabaseConnectionString(name)).WaitFor(postgres)
        .WithEnvironment("ConnectionStrings__rabbitmq", infrastructure.BrokerConnectionString(name)).WaitFor(rabbitMq)
        .WithEnvironment("Messaging__Broker__Nodes", infrastructure.RabbitMqClusterAddresses)
        .WithEnvironment("Messaging__Management__Url", infrastructure.RabbitMqManagement)
        .WithTokenValidation(signingKey)
        .WithEnvironment("Messaging__Faults__Enabled", faultInjection)
        .WithEnvironment(context =>
        {
            if (!exportTelemetry)
            {
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
            }
        })
        .WithRedriveCommand(signingKey);
    foreach (var node in infrastructure.RabbitMqClusterNodes) // queues declared before a node joins would not be replicated on it
    {
        service.WaitFor(node);
    }

    return service;
}
