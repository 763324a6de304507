using System.Diagnostics;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>Runs the helper commands the local infrastructure needs (initdb, pg_ctl, rabbitmqctl, chown).</summary>
public static class HostCommand
{
    /// <summary>True when this process runs as root, where PostgreSQL must be run as the <c>postgres</c> user.</summary>
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Runs a command to completion and returns its output; throws with that output when it fails.</summary>
    public static async Task<string> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {fileName}.");
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = (await output + await error).Trim();
        return process.ExitCode == 0
            ? text
            : throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', start.ArgumentList)}' exited with {process.ExitCode}: {text}");
    }

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// The command line that runs <paramref name="fileName"/> as <paramref name="user"/> when this process is root,
    /// else as this process's user. <c>setpriv</c> execs in place (no extra process), so signals reach the program.
    /// </summary>
    public static (string FileName, IReadOnlyList<string> Arguments) AsUser(
        string user, string fileName, IEnumerable<string> arguments) =>
        IsRoot
            ? ("setpriv", ["--reuid", user, "--regid", user, "--init-groups", "--", fileName, .. arguments])
            : (fileName, [.. arguments]);
}
