using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using EcommerceEda.LoadTests.Load;

namespace EcommerceEda.LoadTests.Target;

/// <summary>
/// The data folders of systems a process starts for its own use (the harness's systems, the test suite's servers), in
/// the temporary folder and named after that process: <c>{prefix}{pid}-{12 hex digits}</c>. A run that was killed leaves
/// its folder behind, and may leave the servers it started running from it (the test suite starts its own, which
/// nothing else stops); a later run with the same prefix stops those servers and removes the folder. (The owner is known
/// by its process id: in a temporary folder shared across process namespaces, a live owner could look ended.)
/// </summary>
public static class DataFolders
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A new folder's path for the current process (not created).</summary>
    public static string NewPath(string prefix) =>
        Path.Combine(Path.GetTempPath(), $"{prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}");

    /// <summary>
    /// Removes the folders with <paramref name="prefix"/> under <paramref name="parent"/> (the temporary folder by
    /// default) whose process has ended, after killing the servers still running from them, and returns them. A
    /// folder that cannot be removed is left.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RemoveAbandonedAsync(string prefix, string? parent = null)
    {
        var removed = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories(parent ?? Path.GetTempPath(), prefix + "*"))
        {
            var owner = Path.GetFileName(folder)[prefix.Length..].Split('-')[0];
            if (!int.TryParse(owner, CultureInfo.InvariantCulture, out var pid) || !HasEnded(pid))
            {
                continue;
            }

            try
            {
                await KillAsync(ServersRunningFrom(folder));
                Directory.Delete(folder, recursive: true);
                removed.Add(folder);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or Win32Exception or TimeoutException)
            {
                // another run removed it first, or it is not ours to remove, or its processes are not ours to stop
            }
        }

        return removed;
    }

    /// <summary>
    /// Whether the process has ended: gone, or dead and not yet reaped by its parent (a zombie, state Z, which .NET's
    /// Process counts as running on Linux, and which the orchestrator has been seen to leave for over a minute).
    /// </summary>
    public static bool HasEnded(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return process.HasExited;
            }
            catch (ArgumentException)
            {
                return true;
            }
        }

        return ProcStat.Read($"/proc/{pid}") is not { IsDead: false };
    }

    // The servers that ran from the folder recorded their process ids in it (PostgreSQL's postmaster.pid, RabbitMQ's
    // <node>.pid): one that still runs with the folder on its command line is such a server, not a process that took its
    // id since.
    private static IReadOnlyList<int> ServersRunningFrom(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*.pid", SearchOption.AllDirectories)
            .Select(file => File.ReadLines(file).FirstOrDefault()?.Trim())
            .Select(line => int.TryParse(line, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ProcStat.ReadFile($"/proc/{pid}/cmdline").Contains(folder, StringComparison.Ordinal))];

    private static async Task KillAsync(IReadOnlyList<int> processes)
    {
        foreach (var pid in processes)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
            {
                // it ended meanwhile
            }
        }

        using var deadline = new CancellationTokenSource(StopTimeout);
        while (!processes.All(HasEnded))
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
            catch (OperationCanceledException exception)
            {
                throw new TimeoutException($"Processes {string.Join(", ", processes)} did not end within {StopTimeout}.", exception);
            }
        }
    }
}
