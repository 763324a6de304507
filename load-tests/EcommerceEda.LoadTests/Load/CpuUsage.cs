using System.Globalization;

namespace EcommerceEda.LoadTests.Load;

/// <summary>
/// CPU time spent so far by each part of the system, from <c>/proc</c> (Linux): the four services, PostgreSQL,
/// RabbitMQ, the AppHost's orchestrator and dashboard, and this load generator. Where the CPU goes per order.
/// </summary>
/// <param name="Processes">CPU seconds (user + system) of each process, by pid and start time, with its part.</param>
/// <param name="Wall">When it was read.</param>
public sealed record CpuUsage(IReadOnlyDictionary<(int Pid, long Started), (string Part, double Seconds)> Processes, DateTimeOffset Wall)
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
        var processes = new Dictionary<(int, long), (string, double)>();
        if (Directory.Exists("/proc"))
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid)
                    && TryRead(directory, out var name, out var started, out var cpu))
                {
                    var part = Parts.FirstOrDefault(p => name.StartsWith(p.Prefix, StringComparison.Ordinal)).Part ?? "other";
                    processes[(pid, started)] = (part, cpu);
                }
            }
        }

        return new CpuUsage(processes, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// CPU seconds by part since <paramref name="before"/>, counted per process so that processes ending meanwhile
    /// (closed database connections) take nothing away; what they used meanwhile is not counted.
    /// </summary>
    public IReadOnlyDictionary<string, double> Since(CpuUsage before) => Processes
        .Select(process => (process.Value.Part, Used: process.Value.Seconds - (before.Processes.TryGetValue(process.Key, out var then) ? then.Seconds : 0)))
        .GroupBy(process => process.Part, process => process.Used)
        .Select(part => (part.Key, Used: part.Sum()))
        .Where(part => part.Used > 0)
        .OrderByDescending(part => part.Used)
        .ToDictionary(part => part.Key, part => Math.Round(part.Used, 2));

    private static bool TryRead(string directory, out string name, out long started, out double cpu)
    {
        (name, started, cpu) = (string.Empty, 0, 0);
        if (ProcStat.Read(directory) is not { } stat)
        {
            return false;
        }

        // utime, stime and starttime: fields 14, 15 and 22.
        name = stat.Name;
        cpu = (long.Parse(stat.Fields[11], CultureInfo.InvariantCulture) + long.Parse(stat.Fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        started = long.Parse(stat.Fields[19], CultureInfo.InvariantCulture);
        return true;
    }
}
