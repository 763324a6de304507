using System.Globalization;
using System.Text.RegularExpressions;

namespace EcommerceEda.Deploy;

/// <summary>
/// What a deployment target puts where the manifest says <c>{parameter.value}</c> or
/// <c>{resource.bindings.endpoint.property}</c>: a secret's variable, the cluster's address of the broker, the managed
/// database's host. A placeholder a target does not know stops the generation: a setting must not go out unresolved.
/// What every target shares is here: services connect to the first of <paramref name="brokerNodes"/> (and know the
/// others), and listen on <see cref="Topology.HttpPort"/> in their containers.
/// </summary>
public abstract partial class Placeholders(AspireManifest manifest, IReadOnlyList<string> brokerNodes)
{
    /// <summary>The AppHost's model the target is generated from.</summary>
    protected AspireManifest Manifest { get; } = manifest;

    /// <summary>The value of <paramref name="value"/> with each placeholder resolved for the target.</summary>
    private string Resolve(string value) =>
        Placeholder().Replace(value, match =>
            !match.Groups["resource"].Success ? throw Unknown(match.Value)
            : match.Groups["endpoint"].Success ? SharedEndpoint(match.Groups["resource"].Value, match.Groups["endpoint"].Value, match.Groups["property"].Value) ?? throw Unknown(match.Value)
            : Parameter(match.Groups["resource"].Value));

    /// <summary>
    /// An environment as the target sets it: each value resolved, and the broker's other nodes where the AppHost, on one
    /// machine, has none.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> Resolved(IReadOnlyDictionary<string, string> environment) =>
        environment.Select(variable => new KeyValuePair<string, string>(
            variable.Key,
            variable.Key == Topology.BrokerNodesVariable
                ? string.Join(',', brokerNodes.Skip(1).Select(node => $"{node}:{Topology.AmqpPort}"))
                : Resolve(variable.Value)));

    /// <summary>The parameters <paramref name="value"/> refers to.</summary>
    public static IEnumerable<string> ParametersIn(string value) =>
        Placeholder().Matches(value).Where(match => match.Groups["resource"].Success && !match.Groups["endpoint"].Success).Select(match => match.Groups["resource"].Value);

    /// <summary>The variable that holds a parameter's value in the target (<c>postgres-orders-password</c> → <c>POSTGRES_ORDERS_PASSWORD</c>).</summary>
    public static string Variable(string parameter) => parameter.Replace('-', '_').ToUpperInvariant();

    /// <summary>How the target refers to a parameter's variable: <c>${NAME}</c> in Compose, <c>$(NAME)</c> in Kubernetes.</summary>
    protected abstract string Parameter(string parameter);

    /// <summary>The target's value of <paramref name="field"/> (host, port, url) of an endpoint of the broker's or the database's, or null.</summary>
    protected abstract string? Endpoint(string resource, string endpoint, string field);

    private string? SharedEndpoint(string resource, string endpoint, string field) => (resource, endpoint, field) switch
    {
        ("rabbitmq", "tcp", "host") => brokerNodes[0],
        ("rabbitmq", "tcp", "port") => Invariant(Topology.AmqpPort),
        (_, "http", "targetPort") when Manifest.Projects.Any(project => project.Name == resource) => Invariant(Topology.HttpPort),
        _ => Endpoint(resource, endpoint, field),
    };

    /// <summary>A port or count as the files write it.</summary>
    protected static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static InvalidDataException Unknown(string placeholder) =>
        new($"The manifest refers to {placeholder}, which this deployment does not provide: teach the generator where it is.");

    // Any {…} is a placeholder: one of another shape than these is resolved by neither target, and stops the generation.
    [GeneratedRegex(@"\{(?<resource>[a-z0-9-]+)\.(value|bindings\.(?<endpoint>[a-z0-9-]+)\.(?<property>host|port|url|targetPort))\}|\{[^}]*\}")]
    private static partial Regex Placeholder();
}
