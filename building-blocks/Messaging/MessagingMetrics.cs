using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EcommerceEda.Messaging;

/// <summary>The building block's meter and activity source, named <c>EcommerceEda.Messaging</c>.</summary>
public sealed class MessagingMetrics : IDisposable
{
    /// <summary>The name of the meter and the activity source.</summary>
    public const string Name = "EcommerceEda.Messaging";

    internal static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _published;
    private readonly Counter<long> _filtered;
    private readonly Counter<long> _failedAttempts;
    private readonly Counter<long> _deadLettered;
    private readonly Dictionary<string, long> _deadLetterDepths = new(StringComparer.Ordinal);
    private readonly Counter<long> _streamRead;
    private readonly Counter<long> _streamSkipped;
    private readonly Counter<long> _streamExpired;
    private readonly Histogram<double> _streamLag;
    private readonly Histogram<double> _lag;
    private readonly Histogram<int> _batchSize;
    private double _oldestUnsentSeconds;

    /// <summary>Creates the instruments through the host's meter factory.</summary>
    public MessagingMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        _duplicates = _meter.CreateCounter<long>("messaging.inbox.duplicates", description: "Redelivered messages the inbox dropped");
        _failedAttempts = _meter.CreateCounter<long>("messaging.consumer.failed_attempts", description: "Attempts of a consumer that failed");
        _deadLettered = _meter.CreateCounter<long>("messaging.consumer.dead_lettered", description: "Messages moved to a dead-letter queue");
        _meter.CreateObservableGauge("messaging.dead_letter_queue.depth", DeadLetterDepths, description: "Messages waiting in each dead-letter queue");
        _streamRead = _meter.CreateCounter<long>("messaging.stream.read", description: "Events a stream reader applied");
        _streamSkipped = _meter.CreateCounter<long>("messaging.stream.skipped", description: "Events a stream reader skipped after failing");
        _streamExpired = _meter.CreateCounter<long>(
            "messaging.stream.expired", description: "Times a stream reader resumed to find the event it left off at gone from the stream, and any after it expired unread");
        _streamLag = _meter.CreateHistogram<double>("messaging.stream.lag", unit: "ms", description: "From an event's occurrence to a stream reader applying it");
        _filtered = _meter.CreateCounter<long>("messaging.subscription.filtered", description: "Messages a subscription's pattern did not match");
        _published = _meter.CreateCounter<long>("messaging.outbox.published", description: "Outbox messages the relay published");
        _lag = _meter.CreateHistogram<double>("messaging.outbox.lag", unit: "ms", description: "From outbox commit to broker confirm");
        _batchSize = _meter.CreateHistogram<int>("messaging.outbox.batch_size", description: "Rows the relay claimed per batch");
        _meter.CreateObservableGauge(
            "messaging.outbox.oldest_unsent_age",
            () => Volatile.Read(ref _oldestUnsentSeconds),
            unit: "s",
            description: "Age of the oldest due row the relay has not published yet");
    }

    internal void AttemptFailed(string consumer) => _failedAttempts.Add(1, new KeyValuePair<string, object?>("consumer", consumer));

    internal void DeadLettered(string consumer, string reason) =>
        _deadLettered.Add(1, new KeyValuePair<string, object?>("consumer", consumer), new KeyValuePair<string, object?>("reason", reason));

    internal void DeadLetterDepth(string queue, long depth)
    {
        lock (_deadLetterDepths)
        {
            _deadLetterDepths[queue] = depth;
        }
    }

    /// <summary>Each dead-letter queue's depth as last sampled.</summary>
    internal IReadOnlyDictionary<string, long> DeadLetterDepthSnapshot()
    {
        lock (_deadLetterDepths)
        {
            return new Dictionary<string, long>(_deadLetterDepths, StringComparer.Ordinal);
        }
    }

    private IEnumerable<Measurement<long>> DeadLetterDepths() =>
        DeadLetterDepthSnapshot().Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("queue", d.Key)));

    internal void StreamEventRead(string reader, TimeSpan lag)
    {
        var tag = new KeyValuePair<string, object?>("reader", reader);
        _streamRead.Add(1, tag);
        _streamLag.Record(lag.TotalMilliseconds, tag);
    }

    internal void StreamEventSkipped(string reader) => _streamSkipped.Add(1, new KeyValuePair<string, object?>("reader", reader));

    internal void StreamResumeExpired(string reader) => _streamExpired.Add(1, new KeyValuePair<string, object?>("reader", reader));

    internal void Filtered(string consumer) => _filtered.Add(1, new KeyValuePair<string, object?>("consumer", consumer));

    internal void DuplicateDropped(string consumer) => _duplicates.Add(1, new KeyValuePair<string, object?>("consumer", consumer));

    internal void Claimed(int batchSize, TimeSpan oldestAge)
    {
        _batchSize.Record(batchSize);
        Volatile.Write(ref _oldestUnsentSeconds, oldestAge.TotalSeconds);
    }

    internal void Idle() => Volatile.Write(ref _oldestUnsentSeconds, 0);

    internal void Published(int count, IEnumerable<TimeSpan> lags)
    {
        _published.Add(count);
        foreach (var lag in lags)
        {
            _lag.Record(lag.TotalMilliseconds);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
