using System.Globalization;

namespace EcommerceEda.LoadTests.Load;

/// <summary>
/// CPU time spent so far by each part of the system, from <c>/proc</c> (Linux): the four services, PostgreSQL,
/// RabbitMQ, the AppHost's orchestrator and dashboard, and this load generator. Where the CPU goes per order.
/// </summary>
/// <param name="Seconds">CPU seconds (user + system) by part.</param>
/// <param name="Wall">When it was read.</param>
public sealed record CpuUsage(IReadOnlyDictionary<string, double> Seconds, DateTimeOffset Wall)
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every mainstream Linux

    // Process names as /proc/<pid>/comm gives them (15 characters at most).
    private static readonly (string Prefix, string Part)[] Parts =
    [
        ("EcommerceEda.Or", "Orders"),
        ("EcommerceEda.Wa", "Warehouse"),
        ("EcommerceEda.De", "Delivery"),
        ("EcommerceEda.Su", "Support"),
        ("EcommerceEda.Lo", "load generator"),
        ("postgres", "PostgreSQL"),
        ("beam.smp", "RabbitMQ"),
        ("erl_child_setup", "RabbitMQ"),
        ("dcp", "AppHost (orchestrator)"),
        ("EcommerceEda.Ap", "AppHost (orchestrator)"),
        ("Aspire.Dashboar", "AppHost (orchestrator)"),
    ];

    /// <summary>Reads every process's CPU time now; empty where <c>/proc</c> does not exist.</summary>
    public static CpuUsage Read()
    {
        var seconds = new Dictionary<string, double>();
        if (Directory.Exists("/proc"))
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (TryRead(directory, out var name, out var cpu))
                {
                    var part = Parts.FirstOrDefault(p => name.StartsWith(p.Prefix, StringComparison.Ordinal)).Part ?? "other";
                    seconds[part] = seconds.GetValueOrDefault(part) + cpu;
                }
            }
        }

        return new CpuUsage(seconds, DateTimeOffset.UtcNow);
    }

    /// <summary>CPU seconds by part since <paramref name="before"/> (parts that used none are left out).</summary>
    public IReadOnlyDictionary<string, double> Since(CpuUsage before) => Seconds
        .Select(part => (part.Key, Used: part.Value - before.Seconds.GetValueOrDefault(part.Key)))
        .Where(part => part.Used > 0)
        .OrderByDescending(part => part.Used)
        .ToDictionary(part => part.Key, part => Math.Round(part.Used, 2));

    private static bool TryRead(string directory, out string name, out double cpu)
    {
        (name, cpu) = (string.Empty, 0);
        try
        {
            // pid (comm) state ppid ... utime stime: fields 14 and 15, counted after the parenthesised name.
            var stat = File.ReadAllText(Path.Combine(directory, "stat"));
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                return false;
            }

            name = stat[(open + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            return true;
        }
        catch (IOException)
        {
            return false; // the process ended meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
