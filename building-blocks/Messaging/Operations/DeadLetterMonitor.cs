using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EcommerceEda.Messaging.Operations;

/// <summary>
/// Samples the depth of the service's dead-letter queues every <c>Messaging:Monitoring:Interval</c>
/// (30 s) for the <c>messaging.dead_letter_queue.depth</c> gauge: a growing one is worth an alert.
/// </summary>
internal sealed partial class DeadLetterMonitor(
    DeadLetterStore store, MessagingMetrics metrics, IConfiguration configuration, TimeProvider clock, ILogger<DeadLetterMonitor> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Messaging:Monitoring:Interval", TimeSpan.FromSeconds(30));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var (queue, depth) in await store.DepthsAsync(stoppingToken))
                {
                    metrics.DeadLetterDepth(queue, depth);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSampleFailed(exception);
            }

            await Task.Delay(interval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Could not sample the dead-letter queues; trying again later")]
    private partial void LogSampleFailed(Exception exception);
}
