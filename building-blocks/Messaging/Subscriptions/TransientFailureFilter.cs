using EcommerceEda.ServiceDefaults.Postgres;
using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;

namespace EcommerceEda.Messaging.Subscriptions;

/// <summary>
/// Keeps an unavailable database from dead-lettering good messages: while the database is down or restarting,
/// every message would fail its attempts within seconds and end in the dead-letter queue, though nothing is
/// wrong with it. So a transient database failure is not an attempt: the delivery waits, with a backoff, and
/// tries again, as long as it takes, until the service stops (then the message returns to its queue). Only
/// failures of the message itself count against its subscription's <see cref="RetryPolicy"/>.
/// </summary>
internal sealed partial class TransientFailureFilter<T>(TimeProvider clock, ILogger<TransientFailureFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var backoff = MinBackoff;
        for (var waits = 0; ; waits++)
        {
            try
            {
                await next.Send(context);
                if (waits > 0)
                {
                    LogRecovered(Queue(context), typeof(T).Name, context.MessageId, waits);
                }

                return;
            }
            catch (Exception exception) when (TransientFailures.IsTransient(exception) && !context.CancellationToken.IsCancellationRequested)
            {
                if (waits == 0)
                {
                    LogWaiting(exception, Queue(context), typeof(T).Name, context.MessageId);
                }

                await Task.Delay(backoff, clock, context.CancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("transient-failures");

    private static string Queue(ConsumeContext context) => context.ReceiveContext.InputAddress.GetEndpointName() ?? "";

    [LoggerMessage(LogLevel.Warning, "{Queue} cannot process {MessageType} {MessageId} while the database is unavailable; waiting for it")]
    private partial void LogWaiting(Exception exception, string queue, string messageType, Guid? messageId);

    [LoggerMessage(LogLevel.Information, "{Queue} processed {MessageType} {MessageId} once the database was back, after {Waits} waits")]
    private partial void LogRecovered(string queue, string messageType, Guid? messageId, int waits);
}
