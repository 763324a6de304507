using System.Net;
using System.Net.Sockets;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>Ports for a second local system (tests, load tests) beside the one <c>eng/run.sh</c> starts.</summary>
public static class LocalPorts
{
    // Room above each chosen port for a cluster's other nodes (node n listens on the first node's ports plus 10·n).
    private const int ClusterRoom = 100;
    private const int Lowest = 20000;
    private const int Attempts = 100;

    // Ports this process handed out already: systems started side by side (test classes in parallel) must not draw
    // the same one while neither server listens on it yet.
    private static readonly HashSet<int> HandedOut = [];

    private static readonly int Highest = OutgoingPortsStart() - ClusterRoom - 1;

    /// <summary>
    /// <paramref name="count"/> different ports nothing listens on right now and that this process has not handed
    /// out before, below the range the system gives outgoing connections their local ports from (from 32768 on Linux
    /// by default), so that no client connection takes one before its server listens on it (the kernel's free port,
    /// port 0, comes from that range). All are held open together while they are chosen.
    /// </summary>
    public static int[] Free(int count)
    {
        lock (HandedOut)
        {
            var candidates = Enumerable.Range(Lowest, Highest - Lowest + 1).Where(port => !HandedOut.Contains(port)).ToArray();
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                Random.Shared.Shuffle(candidates);
                if (Hold(candidates[..count]) is { } ports)
                {
                    HandedOut.UnionWith(ports);
                    return ports;
                }
            }
        }

        throw new InvalidOperationException($"No {count} free ports between {Lowest} and {Highest} in {Attempts} tries.");
    }

    /// <summary>Whether nothing listens on any of <paramref name="ports"/> right now.</summary>
    public static bool AreFree(IEnumerable<int> ports) => Hold(ports) is not null;

    // Where the range starts, as Linux says; elsewhere (Windows and macOS start at 49152) Linux's default. A Linux
    // range moved down to 21000 or below leaves no room under it: then Linux's default is used too, and the ports may
    // fall in the range after all.
    private static int OutgoingPortsStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split('\t', ' ')[0], out var start) && start > Lowest + 1000
            ? start
            : 32768;
    }

    // Listens on every port at once and gives back the ports it got, or null when one was taken.
    private static int[]? Hold(IEnumerable<int> ports)
    {
        var listeners = new List<TcpListener>();
        try
        {
            foreach (var port in ports)
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listeners.Add(listener);
                listener.Start();
            }

            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        catch (SocketException)
        {
            return null;
        }
        finally
        {
            listeners.ForEach(listener => listener.Dispose());
        }
    }
}
