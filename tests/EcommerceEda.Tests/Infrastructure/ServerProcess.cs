using System.Collections.Concurrent;
using System.Diagnostics;
using EcommerceEda.AppHost.Infrastructure;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>A server the tests run in the foreground: its output is kept for the failure message.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process, string stopSignal)
    {
        _process = process;
        StopSignal = stopSignal;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The signal that stops the server cleanly and promptly.</summary>
    public string StopSignal { get; }

    /// <summary>The last lines the server printed.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public static ServerProcess Start(
        string command, IEnumerable<string> arguments, string stopSignal, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // closed: the server must not wait for a terminal
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

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        process.StandardInput.Close();
        return new ServerProcess(process, stopSignal);
    }

    /// <summary>Sends <paramref name="signal"/> and waits; SIGKILL if the server does not exit in time.</summary>
    public async Task StopAsync(string signal = "TERM")
    {
        if (_process.HasExited)
        {
            return;
        }

        await HostCommand.RunAsync("kill", [$"-{signal}", $"{_process.Id}"], CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(StopSignal);
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }
}
