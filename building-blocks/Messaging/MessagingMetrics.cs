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
    private readonly Histogram<double> _lag;
    private readonly Histogram<int> _batchSize;
    private double _oldestUnsentSeconds;

    /// <summary>Creates the instruments through the host's meter factory.</summary>
    public MessagingMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        _duplicates = _meter.CreateCounter<long>("messaging.inbox.duplicates", description: "Redelivered messages the inbox dropped");
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
