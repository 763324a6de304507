namespace EcommerceEda.Messaging.Outbox;

/// <summary>Settings of the outbox relay (configuration section <c>Messaging:Relay</c>).</summary>
public sealed class OutboxRelayOptions
{
    /// <summary>Rows claimed and published per round trip.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How long the relay sleeps without a notification; notifications normally wake it at once.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a batch may wait for the broker's confirms before it is retried.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest pause between retries while the broker or the database is unreachable.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a message written by a unit of work is left to the <see cref="OutboxDispatcher"/>, which publishes it
    /// right after the commit, before a relay may claim it too: longer than a publish normally takes, short enough
    /// that a message the dispatcher could not publish (the process died) is not held up for long.
    /// </summary>
    public TimeSpan DispatchLease { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long sent rows are kept (to inspect what was published) before they are deleted.</summary>
    public TimeSpan SentRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often sent rows past <see cref="SentRetention"/> and inbox rows past the dedup window are deleted.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);
}
