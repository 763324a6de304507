using System.Net;
using System.Net.Sockets;
using EcommerceEda.AppHost.Infrastructure;

namespace EcommerceEda.Tests.EndToEnd;

/// <summary>
/// The ports of a second local system (the tests', the load harness's): free, and not where the kernel finds local
/// ports for outgoing connections, one of which could otherwise take a port between its choice and its server's start.
/// </summary>
public sealed class LocalPortsTests
{
    [Fact]
    public void Free_ports_are_distinct_free_and_below_every_port_the_kernel_hands_out()
    {
        var ports = LocalPorts.Free(6);

        Assert.Equal(6, ports.Distinct().Count());
        Assert.True(LocalPorts.AreFree(ports));
        var lowestHandedOut = KernelPorts(20).Min();
        Assert.All(ports, port => Assert.True(port + 100 <= lowestHandedOut, $"{port} is not below {lowestHandedOut}"));
    }

    // Ports the kernel picks for sockets that ask for none (port 0), from the range outgoing connections use.
    private static int[] KernelPorts(int count)
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
}
