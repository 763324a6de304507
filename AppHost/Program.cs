using EcommerceEda.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

// RabbitMQ and PostgreSQL: containers when Docker answers, else the machine's own binaries.
var infrastructure = builder.AddInfrastructure();
var rabbitMq = infrastructure.RabbitMq;
var postgres = infrastructure.Postgres;

builder.AddProject<Projects.Orders>("orders")
    .WithHttpEndpoint(port: 5101)
    .WithReference(infrastructure.AddDatabase("orders-db", "orders")).WaitFor(postgres)
    .WithReference(rabbitMq).WaitFor(rabbitMq);

builder.AddProject<Projects.Warehouse>("warehouse")
    .WithHttpEndpoint(port: 5102)
    .WithReference(infrastructure.AddDatabase("warehouse-db", "warehouse")).WaitFor(postgres)
    .WithReference(rabbitMq).WaitFor(rabbitMq);

builder.AddProject<Projects.Delivery>("delivery")
    .WithHttpEndpoint(port: 5103)
    .WithReference(infrastructure.AddDatabase("delivery-db", "delivery")).WaitFor(postgres)
    .WithReference(rabbitMq).WaitFor(rabbitMq);

builder.AddProject<Projects.Support>("support")
    .WithHttpEndpoint(port: 5104)
    .WithReference(infrastructure.AddDatabase("support-db", "support")).WaitFor(postgres)
    .WithReference(rabbitMq).WaitFor(rabbitMq);

builder.Build().Run();
