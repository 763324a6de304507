namespace EcommerceEda.Messaging.Subscriptions;

/// <summary>A message older than its subscription's <see cref="RetryPolicy.MaxEventAge"/>: dead-lettered, not retried.</summary>
public sealed class MessageExpiredException(TimeSpan age, TimeSpan maxAge)
    : Exception($"expired: the event is {age:g} old, past the subscription's MaxEventAge of {maxAge:g}");
