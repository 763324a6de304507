using System.Text.Json.Nodes;

namespace EcommerceEda.Deploy;

/// <summary>A service of the AppHost: a .NET project, its environment as the AppHost sets it, and its HTTP port.</summary>
/// <param name="Name">The resource's name (<c>orders</c>).</param>
/// <param name="Environment">Each variable's value, with the manifest's <c>{resource.property}</c> placeholders.</param>
/// <param name="HttpPort">The port the AppHost gives it on the developer's machine (5101).</param>
public sealed record ManifestProject(string Name, IReadOnlyDictionary<string, string> Environment, int HttpPort);

/// <summary>A container the AppHost runs (the broker, the database) when Docker answers.</summary>
public sealed record ManifestContainer(string Name, string Image, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// The AppHost as Aspire's own manifest publisher describes it
/// (<c>dotnet run --project AppHost -- --publisher manifest --output-path …</c>; published, the AppHost runs the broker and
/// the database as containers and no simulators): the services with
/// the environment the AppHost gives them, the containers, and the parameters, secret or not. The deployment is
/// generated from it, so a setting the AppHost passes reaches every target.
/// </summary>
public sealed record AspireManifest(
    IReadOnlyList<ManifestProject> Projects,
    IReadOnlyList<ManifestContainer> Containers,
    IReadOnlyList<string> Secrets,
    IReadOnlyList<string> Parameters)
{
    public static AspireManifest Read(string path)
    {
        var resources = JsonNode.Parse(File.ReadAllText(path))?["resources"]?.AsObject()
            ?? throw new InvalidDataException($"{path} is not an Aspire manifest: it has no resources.");
        List<ManifestProject> projects = [];
        List<ManifestContainer> containers = [];
        List<string> secrets = [];
        List<string> parameters = [];
        foreach (var (name, resource) in resources)
        {
            switch (resource?["type"]?.GetValue<string>())
            {
                case "project.v0":
                    projects.Add(new ManifestProject(
                        name,
                        Environment(resource),
                        resource["bindings"]?["http"]?["port"]?.GetValue<int>() ?? throw new InvalidDataException($"{name} has no http port.")));
                    break;
                case "container.v0":
                    containers.Add(new ManifestContainer(name, resource["image"]!.GetValue<string>(), Environment(resource)));
                    break;
                case "parameter.v0" when IsSecret(resource):
                    secrets.Add(name);
                    break;
                case "parameter.v0":
                    parameters.Add(name);
                    break;
            }
        }

        return new AspireManifest(projects, containers, secrets, parameters);
    }

    /// <summary>
    /// Whether the deployment needs <paramref name="parameter"/>: a service or the broker refers to it (the database's
    /// superuser password, say, is the managed server's business).
    /// </summary>
    public bool IsUsed(string parameter) =>
        Projects.Select(project => project.Environment).Append(Container("rabbitmq").Environment)
            .SelectMany(environment => environment.Values).SelectMany(Placeholders.ParametersIn).Contains(parameter);

    /// <summary>The container named <paramref name="name"/>.</summary>
    public ManifestContainer Container(string name) =>
        Containers.SingleOrDefault(container => container.Name == name)
        ?? throw new InvalidDataException($"The manifest has no container '{name}': was it published with --Infrastructure:Mode=Local?");

    private static bool IsSecret(JsonNode parameter) => parameter["inputs"]?["value"]?["secret"]?.GetValue<bool>() ?? false;

    private static Dictionary<string, string> Environment(JsonNode resource) =>
        resource["env"]?.AsObject().ToDictionary(entry => entry.Key, entry => entry.Value!.GetValue<string>(), StringComparer.Ordinal)
        ?? [];
}
