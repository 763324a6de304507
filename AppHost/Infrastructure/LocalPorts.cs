using System.Net;
using System.Net.Sockets;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>Ports for a second local system (tests, load tests) beside the one <c>eng/run.sh</c> starts.</summary>
public static class LocalPorts
{
    /// <summary>
    /// <paramref name="count"/> different ports nothing listens on right now: all are held open together while
    /// they are chosen, because a port released and asked for again may well come back.
    /// </summary>
    public static int[] Free(int count) =>
        Hold(Enumerable.Repeat(0, count)) ?? throw new InvalidOperationException("The machine gave no free port.");

    /// <summary>Whether nothing listens on any of <paramref name="ports"/> right now.</summary>
    public static bool AreFree(IEnumerable<int> ports) => Hold(ports) is not null;

    // Listens on every port at once (0: any free one) and gives back the ports it got, or null when one was taken.
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
