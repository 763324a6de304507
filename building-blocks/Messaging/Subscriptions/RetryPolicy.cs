namespace EcommerceEda.Messaging.Subscriptions;

/// <summary>
/// How a subscription retries a message that fails, after EventBridge's target retry policy: up to
/// <see cref="MaxAttempts"/> attempts with exponential backoff and jitter, while the event is younger
/// than <see cref="MaxEventAge"/>. Past either, the message goes to the queue's dead-letter queue with the
/// reason in its headers. Defaults come from <c>Messaging:Retry</c>; a subscription may override them in
/// code or under <c>Messaging:Subscriptions:{queue}:Retry</c>.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The pause before the first retry; later pauses grow exponentially.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between two attempts.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An event older than this (since it occurred) is dead-lettered as expired instead of processed.</summary>
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromHours(24);
}
