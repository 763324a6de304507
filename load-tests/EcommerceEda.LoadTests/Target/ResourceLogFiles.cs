using Aspire.Hosting.ApplicationModel;

namespace EcommerceEda.LoadTests.Target;

/// <summary>
/// What each process of a system logs, written to <c>&lt;folder&gt;/&lt;resource&gt;.log</c> as it comes (flushed line
/// batch by line batch, so a run killed midway keeps it), from its first start until the AppHost stops, across its
/// restarts. A copy for after the run: a file that cannot be written stops there, and the run goes on.
/// </summary>
internal sealed class ResourceLogFiles(string folder) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, Task> _writers = [];
    private bool _disposed;

    /// <summary>
    /// Starts writing <paramref name="resource"/>'s log, once. Call it as the resource starts: its log goes by the
    /// name the orchestrator gives its process, which is known only then.
    /// </summary>
    public void Keep(IResource resource, ResourceLoggerService logs)
    {
        lock (_writers)
        {
            if (!_disposed && !_writers.ContainsKey(resource.Name))
            {
                Directory.CreateDirectory(folder);
                _writers[resource.Name] = WriteAsync(logs.WatchAsync(resource), Path.Combine(folder, $"{resource.Name}.log"), _stop.Token);
            }
        }
    }

    private static async Task WriteAsync(IAsyncEnumerable<IReadOnlyList<LogLine>> log, string path, CancellationToken stop)
    {
        try
        {
            await using var file = File.CreateText(path);
            await foreach (var lines in log.WithCancellation(stop))
            {
                foreach (var line in lines)
                {
                    await file.WriteLineAsync(line.Content);
                }

                await file.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the AppHost stopped
        }
        catch (IOException)
        {
            // the disk is full or the folder went away: the copy ends here
        }
    }

    /// <summary>Stops writing, once the AppHost has stopped.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] writers;
        lock (_writers)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            writers = [.. _writers.Values];
        }

        await _stop.CancelAsync();
        await Task.WhenAll(writers);
        _stop.Dispose();
    }
}
