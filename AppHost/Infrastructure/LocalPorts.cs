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
    public static int[] Free(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(listener => listener.Start());
            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(listener => listener.Dispose());
        }
    }

    /// <summary>Whether nothing listens on any of <paramref name="ports"/> right now.</summary>
    public static bool AreFree(IEnumerable<int> ports)
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

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listeners.ForEach(listener => listener.Dispose());
        }
    }
}
