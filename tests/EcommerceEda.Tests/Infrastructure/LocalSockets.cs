using System.Globalization;
using System.Net;
using EcommerceEda.LoadTests.Load;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>What Linux's <c>/proc</c> says about processes' listening TCP sockets.</summary>
public static class LocalSockets
{
    private const string Listen = "0A"; // TCP_LISTEN in /proc/net/tcp's st column

    private static readonly string[] Tables = ["/proc/net/tcp", "/proc/net/tcp6"];

    /// <summary>The processes whose command line or environment contains <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> ProcessesMentioning(string text) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => ProcStat.ReadFile($"/proc/{pid}/cmdline").Contains(text, StringComparison.Ordinal)
                || ProcStat.ReadFile($"/proc/{pid}/environ").Contains(text, StringComparison.Ordinal))];

    /// <summary>The addresses the <paramref name="processes"/> listen on, IPv4 and IPv6.</summary>
    public static IReadOnlyList<IPEndPoint> Listening(IEnumerable<int> processes)
    {
        var sockets = processes.SelectMany(SocketInodes).ToHashSet();
        return [.. Tables
            .SelectMany(table => File.ReadLines(table).Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(columns => columns[3] == Listen && sockets.Contains(columns[9]))
            .Select(columns => Endpoint(columns[1]))];
    }

    // The inodes of the sockets among the process's file descriptors ("socket:[inode]").
    private static IEnumerable<string> SocketInodes(int pid)
    {
        try
        {
            return [.. Directory.EnumerateFiles($"/proc/{pid}/fd")
                .Select(fd => new FileInfo(fd).LinkTarget)
                .Where(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                .Select(target => target!["socket:[".Length..^1])];
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            return []; // it ended meanwhile
        }
    }

    // "0100007F:1F90" (IPv4) or 32 hex digits (IPv6), each 32-bit word in the machine's byte order, then the port.
    private static IPEndPoint Endpoint(string local)
    {
        var parts = local.Split(':');
        var bytes = Convert.FromHexString(parts[0]);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }

        return new IPEndPoint(new IPAddress(bytes), int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
