using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>The ports of a local RabbitMQ node; each must be free.</summary>
public sealed record RabbitMqPorts(int Amqp, int Management, int Stream, int Distribution, int Prometheus)
{
    /// <summary>Every port plus <paramref name="offset"/>: another node's.</summary>
    public RabbitMqPorts Shifted(int offset) =>
        new(Amqp + offset, Management + offset, Stream + offset, Distribution + offset, Prometheus + offset);
}

/// <summary>
/// A RabbitMQ node run from the machine's own binaries as the calling user, with the management, stream and
/// Prometheus plugins, its data, logs and Erlang cookie under <see cref="BaseDirectory"/>, on its own ports and node
/// name (<c>eda-{AMQP port}@localhost</c>): nothing clashes with a system-wide install. Users come from a
/// definitions file imported at every boot, so a changed password takes effect on the next start. Several
/// nodes form a cluster: each lists all of them for peer discovery and they share an Erlang cookie.
/// </summary>
public sealed class LocalRabbitMq
{
    // Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user; this one runs as the caller.
    private const string DebianServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private const string LoopbackDistribution = "-kernel inet_dist_use_interface {127,0,0,1}";

    private LocalRabbitMq(string serverScript, string baseDirectory, RabbitMqPorts ports, IReadOnlyList<string> cluster)
    {
        Command = serverScript;
        BaseDirectory = baseDirectory;
        Ports = ports;
        Cluster = cluster;
        var nodeName = NodeName(ports);
        Environment = new Dictionary<string, string>
        {
            ["HOME"] = baseDirectory, // the Erlang cookie lives in $HOME
            ["RABBITMQ_NODENAME"] = nodeName,
            ["RABBITMQ_NODE_PORT"] = $"{ports.Amqp}",
            ["RABBITMQ_DIST_PORT"] = $"{ports.Distribution}",

            // Erlang's distribution (how the CLI and a cluster's nodes reach the node), the CLI's own while it runs, and the
            // epmd daemon the first node starts listen on every interface unless told otherwise.
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = LoopbackDistribution,
            ["RABBITMQ_CTL_ERL_ARGS"] = LoopbackDistribution,
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(baseDirectory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(baseDirectory, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(baseDirectory, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(baseDirectory, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(baseDirectory, "rabbitmq-env.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(baseDirectory, "enabled_plugins"),
        };
    }

    /// <summary>The plugins every node runs: the management UI and API, streams, and metrics for Prometheus (<c>/metrics</c>).</summary>
    public static readonly string[] Plugins = ["rabbitmq_management", "rabbitmq_stream", "rabbitmq_prometheus"];

    public string BaseDirectory { get; }

    public RabbitMqPorts Ports { get; }

    /// <summary>The script that runs the node in the foreground (SIGTERM stops it cleanly).</summary>
    public string Command { get; }

    /// <summary>The environment <see cref="Command"/> needs.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The node names of the cluster this node belongs to; empty for a node on its own.</summary>
    public IReadOnlyList<string> Cluster { get; }

    /// <summary>The Erlang node name of the node on <paramref name="ports"/>.</summary>
    public static string NodeName(RabbitMqPorts ports) => $"eda-{ports.Amqp}@localhost";

    /// <summary>
    /// Finds the server for one node per entry of <paramref name="nodes"/> (more than one: a cluster); throws
    /// <see cref="MissingPrerequisiteException"/> when it is not installed. The first node keeps its data under
    /// <c>rabbitmq</c>, the others under <c>rabbitmq-2</c>, <c>rabbitmq-3</c>, ...
    /// </summary>
    public static IReadOnlyList<LocalRabbitMq> Locate(string dataPath, IReadOnlyList<RabbitMqPorts> nodes)
    {
        var onPath = HostCommand.FindOnPath("rabbitmq-server");
        var server = File.Exists(DebianServer) ? DebianServer
            : onPath is not null && !IsUserSwitchingWrapper(onPath) ? onPath
            : null;
        return server is null
            ? throw new MissingPrerequisiteException(
                "RabbitMQ (rabbitmq-server)", $"{DebianServer} and PATH", "sudo apt-get install -y rabbitmq-server")
            : Nodes(server, dataPath, nodes);
    }

    private static LocalRabbitMq[] Nodes(string server, string dataPath, IReadOnlyList<RabbitMqPorts> nodes)
    {
        string[] cluster = nodes.Count > 1 ? [.. nodes.Select(NodeName)] : [];
        return [.. nodes.Select((ports, i) => new LocalRabbitMq(
            server, LocalDataDirectory.For(dataPath, i == 0 ? "rabbitmq" : $"rabbitmq-{i + 1}"), ports, cluster))];
    }

    // Debian's /usr/sbin/rabbitmq-server links to a wrapper that runs the server as the rabbitmq user.
    private static bool IsUserSwitchingWrapper(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.Name == "rabbitmq-script-wrapper";

    /// <summary>
    /// Writes the configuration and the users (the administrator, <paramref name="user"/>, and each service's),
    /// and stops a node a previous run left behind.
    /// </summary>
    public async Task PrepareAsync(string user, string password, IReadOnlyList<BrokerLogin> services, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(BaseDirectory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(BaseDirectory, "log"));
        var definitions = Path.Combine(BaseDirectory, "definitions.json");
        await File.WriteAllTextAsync(Environment["RABBITMQ_CONF_ENV_FILE"], "", cancellationToken);
        await File.WriteAllTextAsync(
            Environment["RABBITMQ_ENABLED_PLUGINS_FILE"], $"[{string.Join(',', Plugins)}].\n", cancellationToken);
        await File.WriteAllTextAsync(Environment["RABBITMQ_CONFIG_FILE"], $"""
            listeners.tcp.1 = 127.0.0.1:{Ports.Amqp}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {Ports.Management}
            stream.listeners.tcp.1 = 127.0.0.1:{Ports.Stream}
            stream.advertised_host = 127.0.0.1
            stream.advertised_port = {Ports.Stream}
            prometheus.tcp.ip = 127.0.0.1
            prometheus.tcp.port = {Ports.Prometheus}
            load_definitions = {definitions}
            log.console = true
            log.console.level = info
            log.file = false
            {ClusterFormation()}
            """, cancellationToken);
        await LocalDataDirectory.WriteSecretAsync(definitions, BrokerDefinitions.Json(user, password, services), cancellationToken);
        if (Cluster.Count > 0)
        {
            // Nodes that share no cookie cannot talk; one derived from the password is the same on every node.
            var cookie = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"erlang-cookie:{password}")))[..32];
            await LocalDataDirectory.WriteSecretAsync(Path.Combine(BaseDirectory, ".erlang.cookie"), cookie, cancellationToken);
        }

        await StopLeftoverNodeAsync(cancellationToken);
    }

    // The first node boots on its own; the others start after it and join it through this list.
    private string ClusterFormation() => Cluster.Count == 0 ? "" : string.Join('\n', [
        "cluster_formation.peer_discovery_backend = classic_config",
        .. Cluster.Select((node, i) => $"cluster_formation.classic_config.nodes.{i + 1} = {node}"),
    ]);

    private async Task StopLeftoverNodeAsync(CancellationToken cancellationToken)
    {
        if (!await IsListeningAsync(Ports.Amqp, cancellationToken))
        {
            return;
        }

        try
        {
            // shutdown, unlike stop, returns only once the Erlang VM has exited and its ports are free.
            await CtlAsync(["shutdown"], cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                $"Port {Ports.Amqp} is taken by something that is not this RabbitMQ node; "
                + "choose other ports under Infrastructure:Local.", e);
        }
    }

    /// <summary>Runs <c>rabbitmqctl</c> against this node with <paramref name="arguments"/> and returns its output.</summary>
    public Task<string> CtlAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        HostCommand.RunAsync(Path.Combine(Path.GetDirectoryName(Command)!, "rabbitmqctl"), arguments, cancellationToken, Environment);

    private static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The AMQP URI of <paramref name="user"/>.</summary>
    public string ConnectionString(string user, string password) =>
        $"amqp://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@127.0.0.1:{Ports.Amqp}";

    /// <summary>
    /// True when the node accepts an AMQP connection with these credentials and, when it is a cluster's second or
    /// later node, runs beside another node (it joined the cluster rather than booting on its own).
    /// </summary>
    public async Task<bool> IsReadyAsync(string user, string password, CancellationToken cancellationToken)
    {
        try
        {
            var factory = new ConnectionFactory { Uri = new Uri(ConnectionString(user, password)) };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            var joins = Cluster.Count > 0 && Cluster[0] != NodeName(Ports);
            return connection.IsOpen && (!joins || await RunningNodesAsync(user, password, cancellationToken) > 1);
        }
        catch (BrokerUnreachableException)
        {
            return false;
        }
    }

    private async Task<int> RunningNodesAsync(string user, string password, CancellationToken cancellationToken)
    {
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Ports.Management}/api/") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        try
        {
            var nodes = await management.GetFromJsonAsync<JsonElement>("nodes?columns=name,running", cancellationToken);
            return nodes.EnumerateArray().Count(node => node.GetProperty("running").GetBoolean());
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}
