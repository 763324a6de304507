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

    /// <summary>
    /// <paramref name="count"/> different ports nothing listens on right now, below the range the system gives
    /// outgoing connections their local ports from (from 32768 on Linux by default), so that no client connection
    /// takes one before its server listens on it (the kernel's free port, port 0, comes from that range). All are
    /// held open together while they are chosen.
    /// </summary>
    public static int[] Free(int count)
    {
        var highest = OutgoingPortsStart() - ClusterRoom - 1;
        var candidates = Enumerable.Range(Lowest, highest - Lowest + 1).ToArray();
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            Random.Shared.Shuffle(candidates);
            if (Hold(candidates[..count]) is { } ports)
            {
                return ports;
            }
        }

        throw new InvalidOperationException($"No {count} free ports between {Lowest} and {highest} in {Attempts} tries.");
    }

    /// <summary>Whether nothing listens on any of <paramref name="ports"/> right now.</summary>
    public static bool AreFree(IEnumerable<int> ports) => Hold(ports) is not null;

    // Where the range starts, as Linux says; elsewhere (Windows and macOS start at 49152), or when it starts too low to
    // leave room below it, Linux's default.
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
