using System.Text.RegularExpressions;
using EcommerceEda.AppHost.Infrastructure;
using EcommerceEda.Deploy;
using EcommerceEda.EventDocs;
using EcommerceEda.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Npgsql;
using YamlDotNet.RepresentationModel;

namespace EcommerceEda.Tests.Deployment;

/// <summary>The AppHost's manifest, as Aspire's manifest publisher writes it, and the deployment generated from it.</summary>
public sealed class PublishedDeployment : IAsyncLifetime
{
    public static readonly string Repository = DocsGenerator.Repository();

    public AspireManifest Manifest { get; private set; } = null!;

    public IReadOnlyDictionary<string, string> Files { get; private set; } = null!;

    /// <summary>The generated files, written to a folder of their own.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("ecommerce-eda-deploy-").FullName;

    public async ValueTask InitializeAsync()
    {
        // The AppHost the tests reference is built next to them; run it as eng/publish.sh does.
        var appHost = Path.Combine(AppContext.BaseDirectory, "EcommerceEda.AppHost.dll");
        var manifest = Path.Combine(Folder, "aspire-manifest.json");
        var (exitCode, output) = await ChildProcess.RunAsync(
            "dotnet", [appHost, "--publisher", "manifest", "--output-path", manifest], Repository);
        Assert.True(exitCode == 0, output);
        Manifest = AspireManifest.Read(manifest);
        Files = DeploymentFiles.Generate(Manifest);
        DeploymentFiles.Write(Folder, Files);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// deploy/ is what the AppHost generates now, Docker Compose and Kubernetes' own models accept it, it runs the
/// cluster the design asks for (three RabbitMQ nodes, every service twice, PostgreSQL managed), every setting the
/// AppHost passes reaches every service, secrets only by reference, and the managed database's provisioning script
/// does on a real server what the AppHost does on the developer's machine.
/// </summary>
public sealed class DeploymentTests(PublishedDeployment deployment, TestInfrastructure infrastructure) : IClassFixture<PublishedDeployment>
{
    [Fact]
    public void The_committed_deployment_is_what_the_AppHost_generates()
    {
        var drift = DeploymentFiles.Drift(Path.Combine(PublishedDeployment.Repository, "deploy"), deployment.Files);
        Assert.True(drift.Count == 0, $"deploy/ is out of date: run {DeploymentFiles.Command}{Environment.NewLine}{string.Join(Environment.NewLine, drift)}");
    }

    [Fact]
    public async Task Docker_Compose_accepts_the_compose_file()
    {
        var compose = Path.Combine(deployment.Folder, "compose");
        File.WriteAllLines(Path.Combine(compose, ".env"), File.ReadAllLines(Path.Combine(compose, ".env.example")).Select(line => line.EndsWith('=') ? line + "x" : line));
        var dockerCompose = HostCommand.FindOnPath("docker-compose")
            ?? throw new InvalidOperationException("docker-compose is missing: run eng/install-prerequisites.sh --tests (apt-get install docker-compose).");

        var (exitCode, output) = await ChildProcess.RunAsync(dockerCompose, ["-f", "docker-compose.yaml", "config", "--quiet"], compose);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("is not set", output, StringComparison.Ordinal); // every variable the file reads is in .env.example
    }

    [Fact]
    public void The_compose_file_runs_a_three_node_cluster_and_every_service_twice_with_all_of_its_settings()
    {
        var services = Yaml(deployment.Files["compose/docker-compose.yaml"])["services"];

        Assert.Equal(["rabbitmq-1", "rabbitmq-2", "rabbitmq-3"], Keys(services).Where(name => Regex.IsMatch(name, @"^rabbitmq-\d$")));
        Assert.Contains("cluster_formation.classic_config.nodes.3 = rabbit@rabbitmq-3", deployment.Files["compose/rabbitmq/cluster.conf"], StringComparison.Ordinal);
        var hostPorts = Keys(services).SelectMany(name => services[name] is YamlMappingNode service && service.Children.TryGetValue("ports", out var ports)
            ? ((YamlSequenceNode)ports).Children.SelectMany(port => HostPorts(Scalar(port)))
            : []).ToList();
        Assert.Equal(hostPorts.Distinct().Count(), hostPorts.Count); // every replica and node on a host port of its own
        foreach (var project in deployment.Manifest.Projects)
        {
            var service = services[project.Name];
            Assert.Equal("2", Scalar(service["deploy"]["replicas"]));
            var environment = Mapping(service["environment"]);
            Assert.Equal(project.Environment.Keys.Order(), environment.Keys.Order());
            Assert.All(environment.Values, value => Assert.DoesNotContain("{", value.Replace("${", "", StringComparison.Ordinal), StringComparison.Ordinal));
            Assert.Equal("rabbitmq-2:5672,rabbitmq-3:5672", environment[Topology.BrokerNodesVariable]);
            Assert.Contains($"Password=${{POSTGRES_{project.Name.ToUpperInvariant()}_PASSWORD}}", environment[$"ConnectionStrings__{project.Name}-db"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Kubernetes_reads_every_manifest_back_strictly_and_each_service_runs_twice_behind_its_health_checks()
    {
        var objects = deployment.Files
            .Where(file => file.Key.StartsWith("kubernetes/", StringComparison.Ordinal) && file.Key.EndsWith(".yaml", StringComparison.Ordinal) && !file.Key.EndsWith("kustomization.yaml", StringComparison.Ordinal))
            .SelectMany(file => KubernetesYaml.LoadAllFromString(file.Value, strict: true))
            .ToList();

        var rabbitMq = Assert.Single(objects.OfType<V1StatefulSet>());
        Assert.Equal((3, "Parallel", "rabbitmq-nodes"), (rabbitMq.Spec.Replicas, rabbitMq.Spec.PodManagementPolicy, rabbitMq.Spec.ServiceName));
        Assert.Equal("1", Assert.Single(objects.OfType<V1PodDisruptionBudget>(), budget => budget.Metadata.Name == "rabbitmq").Spec.MaxUnavailable.Value);
        var secrets = deployment.Files["kubernetes/secrets.example.env"].Split('\n').Where(line => line.EndsWith('=')).Select(line => line.TrimEnd('=')).ToHashSet();
        foreach (var project in deployment.Manifest.Projects)
        {
            var workload = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == project.Name);
            Assert.Equal(2, workload.Spec.Replicas);
            var container = Assert.Single(workload.Spec.Template.Spec.Containers);
            Assert.Equal(("/health", "/alive"), (container.ReadinessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Path));
            Assert.Superset(project.Environment.Keys.ToHashSet(), container.Env.Select(variable => variable.Name).ToHashSet());
            Assert.Contains(objects.OfType<V1Service>(), service => service.Metadata.Name == project.Name);
            Assert.All(container.Env.Where(variable => variable.ValueFrom?.SecretKeyRef is not null), variable => Assert.Contains(variable.ValueFrom.SecretKeyRef.Key, secrets));
        }

        // Kubernetes expands $(NAME) only for a variable defined above it in the same container.
        foreach (var container in objects.OfType<V1Deployment>().SelectMany(d => d.Spec.Template.Spec.Containers).Concat(rabbitMq.Spec.Template.Spec.Containers))
        {
            var defined = new HashSet<string>();
            foreach (var variable in container.Env)
            {
                Assert.All(Regex.Matches(variable.Value ?? "", @"\$\((\w+)\)").Select(match => match.Groups[1].Value), name => Assert.Contains(name, defined));
                defined.Add(variable.Name);
            }
        }

        var kustomization = deployment.Files["kubernetes/kustomization.yaml"];
        Assert.All(deployment.Files.Keys.Where(file => file.StartsWith("kubernetes/", StringComparison.Ordinal) && file.EndsWith(".yaml", StringComparison.Ordinal) && !file.EndsWith("kustomization.yaml", StringComparison.Ordinal)),
            file => Assert.Contains($"  - {file["kubernetes/".Length..]}", kustomization, StringComparison.Ordinal));
    }

    [Fact]
    public void The_broker_setup_grants_each_service_what_the_AppHost_grants_it()
    {
        var setup = deployment.Files["compose/rabbitmq/setup.sh"];

        Assert.All(BrokerAccount.Services, account => Assert.Contains(
            $"user {account.User} \"$RABBITMQ_{account.Service.ToUpperInvariant()}_PASSWORD\" '{account.Configure}' '{account.Write}' '{account.Read}'", setup, StringComparison.Ordinal));
        Assert.Contains("await_online_nodes 3", setup, StringComparison.Ordinal);
        Assert.Equal(setup, Assert.Single(KubernetesYaml.LoadAllFromString(deployment.Files["kubernetes/rabbitmq.yaml"]).OfType<V1ConfigMap>()).Data["setup.sh"]);
    }

    [Fact]
    public async Task The_provisioning_script_gives_each_service_its_database_on_a_real_server_and_may_run_twice()
    {
        var script = Path.Combine(deployment.Folder, "postgres", "provision.sql");
        var server = new NpgsqlConnectionStringBuilder(infrastructure.DatabaseConnectionString("postgres"));
        string[] arguments = ["-v", "ON_ERROR_STOP=1", .. BrokerAccount.ServiceNames.SelectMany(service => new[] { "-v", $"{service}_password={Guid.NewGuid():N}" }), "-f", script];

        for (var run = 1; run <= 2; run++)
        {
            var (exitCode, output) = await ChildProcess.RunAsync("psql", arguments, deployment.Folder, environment =>
            {
                environment["PGHOST"] = server.Host;
                environment["PGPORT"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                environment["PGUSER"] = server.Username;
                environment["PGPASSWORD"] = server.Password;
                environment["PGDATABASE"] = "postgres";
            });
            Assert.True(exitCode == 0, $"run {run}: {output}");
        }

        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var service in BrokerAccount.ServiceNames)
        {
            await using var command = new NpgsqlCommand(
                "SELECT pg_get_userbyid(datdba), has_database_privilege('public', datname, 'CONNECT') FROM pg_database WHERE datname = @service", connection);
            command.Parameters.AddWithValue("service", service);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken), $"no database {service}");
            Assert.Equal((service, false), (reader.GetString(0), reader.GetBoolean(1)));
        }
    }

    // "51010-51011:8080" → 51010, 51011
    private static IEnumerable<int> HostPorts(string mapping)
    {
        var range = mapping.Split(':')[0].Split('-').Select(int.Parse).ToList();
        return Enumerable.Range(range[0], range[^1] - range[0] + 1);
    }

    private static YamlMappingNode Yaml(string content)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(content));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<string> Keys(YamlNode node) => ((YamlMappingNode)node).Children.Keys.Select(Scalar);

    private static Dictionary<string, string> Mapping(YamlNode node) => ((YamlMappingNode)node).Children.ToDictionary(entry => Scalar(entry.Key), entry => Scalar(entry.Value));

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value!;
}
