using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>The ports of a local RabbitMQ node; each must be free.</summary>
public sealed record RabbitMqPorts(int Amqp, int Management, int Stream, int Distribution);

/// <summary>
/// A RabbitMQ node run from the machine's own binaries as the calling user, with management and stream
/// plugins, its data, logs and Erlang cookie under <see cref="BaseDirectory"/>, on its own ports and node
/// name: nothing clashes with a system-wide install. Users come from a definitions file imported at every
/// boot, so a changed password takes effect on the next start.
/// </summary>
public sealed class LocalRabbitMq
{
    // Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user; this one runs as the caller.
    private const string DebianServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private static readonly string[] AdministratorTags = ["administrator"];

    private LocalRabbitMq(string serverScript, string baseDirectory, RabbitMqPorts ports)
    {
        Command = serverScript;
        BaseDirectory = baseDirectory;
        Ports = ports;
        var nodeName = $"eda-{ports.Amqp}@localhost";
        Environment = new Dictionary<string, string>
        {
            ["HOME"] = baseDirectory, // the Erlang cookie lives in $HOME
            ["RABBITMQ_NODENAME"] = nodeName,
            ["RABBITMQ_NODE_PORT"] = $"{ports.Amqp}",
            ["RABBITMQ_DIST_PORT"] = $"{ports.Distribution}",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(baseDirectory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(baseDirectory, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(baseDirectory, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(baseDirectory, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(baseDirectory, "rabbitmq-env.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(baseDirectory, "enabled_plugins"),
        };
    }

    public string BaseDirectory { get; }

    public RabbitMqPorts Ports { get; }

    /// <summary>The script that runs the node in the foreground (SIGTERM stops it cleanly).</summary>
    public string Command { get; }

    /// <summary>The environment <see cref="Command"/> needs.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Finds the server; throws <see cref="MissingPrerequisiteException"/> when it is not installed.</summary>
    public static LocalRabbitMq Locate(string dataPath, RabbitMqPorts ports)
    {
        var onPath = HostCommand.FindOnPath("rabbitmq-server");
        var server = File.Exists(DebianServer) ? DebianServer
            : onPath is not null && !IsUserSwitchingWrapper(onPath) ? onPath
            : null;
        return server is null
            ? throw new MissingPrerequisiteException(
                "RabbitMQ (rabbitmq-server)", $"{DebianServer} and PATH", "sudo apt-get install -y rabbitmq-server")
            : new LocalRabbitMq(server, LocalDataDirectory.For(dataPath, "rabbitmq"), ports);
    }

    // Debian's /usr/sbin/rabbitmq-server links to a wrapper that runs the server as the rabbitmq user.
    private static bool IsUserSwitchingWrapper(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.Name == "rabbitmq-script-wrapper";

    /// <summary>Writes the configuration and the user, and stops a node a previous run left behind.</summary>
    public async Task PrepareAsync(string user, string password, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(BaseDirectory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(BaseDirectory, "log"));
        var definitions = Path.Combine(BaseDirectory, "definitions.json");
        await File.WriteAllTextAsync(Environment["RABBITMQ_CONF_ENV_FILE"], "", cancellationToken);
        await File.WriteAllTextAsync(
            Environment["RABBITMQ_ENABLED_PLUGINS_FILE"], "[rabbitmq_management,rabbitmq_stream].\n", cancellationToken);
        await File.WriteAllTextAsync(Environment["RABBITMQ_CONFIG_FILE"], $"""
            listeners.tcp.1 = 127.0.0.1:{Ports.Amqp}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {Ports.Management}
            stream.listeners.tcp.1 = 127.0.0.1:{Ports.Stream}
            stream.advertised_host = 127.0.0.1
            stream.advertised_port = {Ports.Stream}
            load_definitions = {definitions}
            log.console = true
            log.console.level = info
            log.file = false

            """, cancellationToken);
        await LocalDataDirectory.WriteSecretAsync(definitions, Definitions(user, password), cancellationToken);
        await StopLeftoverNodeAsync(cancellationToken);
    }

    private async Task StopLeftoverNodeAsync(CancellationToken cancellationToken)
    {
        if (!await IsListeningAsync(Ports.Amqp, cancellationToken))
        {
            return;
        }

        var rabbitmqctl = Path.Combine(Path.GetDirectoryName(Command)!, "rabbitmqctl");
        try
        {
            // shutdown, unlike stop, returns only once the Erlang VM has exited and its ports are free.
            await HostCommand.RunAsync(rabbitmqctl, ["shutdown"], cancellationToken, Environment);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                $"Port {Ports.Amqp} is taken by something that is not this RabbitMQ node; "
                + "choose other ports under Infrastructure:Local.", e);
        }
    }

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

    /// <summary>One administrator; RabbitMQ stores salted SHA-256 hashes: base64(salt ++ sha256(salt ++ password)).</summary>
    private static string Definitions(string user, string password)
    {
        var salt = RandomNumberGenerator.GetBytes(4);
        byte[] hash = [.. salt, .. SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(password)])];
        return JsonSerializer.Serialize(new
        {
            users = new[]
            {
                new
                {
                    name = user,
                    password_hash = Convert.ToBase64String(hash),
                    hashing_algorithm = "rabbit_password_hashing_sha256",
                    tags = AdministratorTags,
                },
            },
            vhosts = new[] { new { name = "/" } },
            permissions = new[] { new { user, vhost = "/", configure = ".*", write = ".*", read = ".*" } },
        });
    }

    /// <summary>The AMQP URI services connect with.</summary>
    public string ConnectionString(string user, string password) =>
        $"amqp://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@127.0.0.1:{Ports.Amqp}";

    /// <summary>True when the node accepts an AMQP connection with these credentials.</summary>
    public async Task<bool> IsReadyAsync(string user, string password, CancellationToken cancellationToken)
    {
        try
        {
            var factory = new ConnectionFactory { Uri = new Uri(ConnectionString(user, password)) };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            return connection.IsOpen;
        }
        catch (BrokerUnreachableException)
        {
            return false;
        }
    }
}
