namespace EcommerceEda.Messaging.Subscriptions;

/// <summary>
/// A message that does not have the shape of its contract (a required field missing or null, an empty id): no
/// attempt can succeed, so it is dead-lettered at once, with the problems as its reason, instead of being retried.
/// </summary>
public sealed class MalformedMessageException(string messageType, IEnumerable<string> problems)
    : Exception($"malformed {messageType}: {string.Join("; ", problems)}");
