namespace EcommerceEda.Messaging.Inbox;

/// <summary>Settings of the inbox (configuration section <c>Messaging:Inbox</c>).</summary>
public sealed class InboxOptions
{
    /// <summary>
    /// How long a processed message id is remembered. A copy of a message delivered later than this is
    /// processed again, so keep it well above the longest time a duplicate can take to arrive (a relay
    /// republishing after a crash, a redelivery after a broker failover). Those take minutes; the default
    /// of two days also covers a service that was down over a weekend.
    /// </summary>
    public TimeSpan DedupWindow { get; set; } = TimeSpan.FromDays(2);
}
