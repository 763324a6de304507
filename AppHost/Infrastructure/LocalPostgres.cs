using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>
/// A PostgreSQL server run from the machine's own binaries, with its data under <see cref="BaseDirectory"/>,
/// listening on 127.0.0.1 only, on its own port: nothing clashes with a system-wide install.
/// As root it runs as the <c>postgres</c> user, because <c>initdb</c> and <c>postgres</c> refuse root.
/// </summary>
public sealed class LocalPostgres
{
    private const string SystemUser = "postgres";
    private const string Superuser = "postgres";

    private readonly string _binDirectory;

    private LocalPostgres(string binDirectory, string baseDirectory, int port)
    {
        _binDirectory = binDirectory;
        BaseDirectory = baseDirectory;
        Port = port;
        (Command, Arguments) = HostCommand.AsUser(SystemUser, Bin("postgres"), ["-D", DataDirectory, "-p", $"{port}"]);
    }

    /// <summary>Holds the data directory and the fingerprint of the superuser's password.</summary>
    public string BaseDirectory { get; }

    public string DataDirectory => Path.Combine(BaseDirectory, "data");

    public int Port { get; }

    /// <summary>
    /// The command that runs the server in the foreground. SIGINT stops it at once ("fast" shutdown); SIGTERM
    /// waits for every client to disconnect first.
    /// </summary>
    public string Command { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Finds the binaries; throws <see cref="MissingPrerequisiteException"/> when they are not installed.</summary>
    public static LocalPostgres Locate(string dataPath, int port)
    {
        const string DebianBinaries = "/usr/lib/postgresql";
        var binDirectory = Directory.Exists(DebianBinaries)
            ? Directory.GetDirectories(DebianBinaries)
                .Select(dir => Path.Combine(dir, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        binDirectory ??= Path.GetDirectoryName(HostCommand.FindOnPath("initdb") ?? "");
        if (string.IsNullOrEmpty(binDirectory))
        {
            throw new MissingPrerequisiteException(
                "PostgreSQL (initdb, postgres)", $"{DebianBinaries}/*/bin and PATH", "sudo apt-get install -y postgresql");
        }

        return new LocalPostgres(binDirectory, LocalDataDirectory.For(dataPath, "postgres", SystemUser), port);
    }

    /// <summary>
    /// Makes the data directory ready to start: stops a server a previous run left behind, creates the cluster
    /// on first use, and sets the superuser's password when it changed since.
    /// </summary>
    public async Task PrepareAsync(string password, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(BaseDirectory);
        if (HostCommand.IsRoot)
        {
            await HostCommand.RunAsync("chown", [$"{SystemUser}:{SystemUser}", BaseDirectory], cancellationToken);
        }

        await StopLeftoverServerAsync(cancellationToken);
        var fingerprintFile = Path.Combine(BaseDirectory, "password.sha256");
        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password)));
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            await InitializeAsync(password, cancellationToken);
        }
        else if (!File.Exists(fingerprintFile) || await File.ReadAllTextAsync(fingerprintFile, cancellationToken) != fingerprint)
        {
            // Single-user mode needs neither the network nor the old password.
            var sql = $"ALTER USER {Superuser} PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}';\n";
            await RunAsPostgresAsync("postgres", ["--single", "-D", DataDirectory, Superuser], cancellationToken, sql);
        }

        await File.WriteAllTextAsync(fingerprintFile, fingerprint, cancellationToken);
    }

    private async Task InitializeAsync(string password, CancellationToken cancellationToken)
    {
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true); // an initdb that did not finish
        }

        var passwordFile = Path.Combine(BaseDirectory, "initdb.pw");
        await LocalDataDirectory.WriteSecretAsync(passwordFile, password, cancellationToken);
        try
        {
            if (HostCommand.IsRoot)
            {
                await HostCommand.RunAsync("chown", [SystemUser, passwordFile], cancellationToken);
            }

            await RunAsPostgresAsync("initdb", [
                "-D", DataDirectory, "-U", Superuser, "--auth=scram-sha-256", $"--pwfile={passwordFile}",
                "--encoding=UTF8", "--locale=C", "--no-instructions"], cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }

        // Loopback TCP only: no Unix socket in a system folder this user may not own. Each service holds a pool of its
        // own, and services are no superusers, who alone may use the last superuser_reserved_connections (3): the test
        // suite, with its systems side by side, held up to 291 at once when sampled.
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), """

            # EcommerceEda local infrastructure
            listen_addresses = '127.0.0.1'
            unix_socket_directories = ''
            max_connections = 500

            """, cancellationToken);
    }

    private async Task StopLeftoverServerAsync(CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (File.Exists(pidFile)
            && int.TryParse((await File.ReadAllLinesAsync(pidFile, cancellationToken)).FirstOrDefault(), out var pid)
            && IsOurServer(pid))
        {
            await RunAsPostgresAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], cancellationToken);
        }
    }

    // A pid file can outlive its process (a reboot, a kill -9) and the pid be reused: postgres cleans up its
    // own stale file, so stop only a live postgres that serves this data directory.
    private bool IsOurServer(int pid)
    {
        var commandLine = $"/proc/{pid}/cmdline";
        return File.Exists(commandLine)
            && File.ReadAllText(commandLine).Split('\0') is var arguments
            && Path.GetFileName(arguments[0]) == "postgres"
            && arguments.Contains(DataDirectory);
    }

    private Task<string> RunAsPostgresAsync(
        string program, IEnumerable<string> arguments, CancellationToken cancellationToken, string? standardInput = null)
    {
        var (fileName, args) = HostCommand.AsUser(SystemUser, Bin(program), arguments);
        return HostCommand.RunAsync(fileName, args, cancellationToken, standardInput: standardInput);
    }

    private string Bin(string program) => Path.Combine(_binDirectory, program);

    /// <summary>The superuser's connection string, to the <c>postgres</c> database or to <paramref name="database"/>.</summary>
    public string ConnectionString(string password, string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Superuser,
            Password = password,
            Database = database,
        }.ConnectionString;

    /// <summary>True when the server accepts a connection and answers a query.</summary>
    public async Task<bool> IsReadyAsync(string password, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString(password) + ";Pooling=false;Timeout=3");
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}
