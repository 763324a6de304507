namespace EcommerceEda.Messaging.Operations;

/// <summary>The parts of the service's broker URI (<c>amqp://user:password@host:port/vhost</c>) operations need.</summary>
internal sealed record BrokerAddress(Uri Amqp, string VirtualHost, string User, string Password)
{
    public static BrokerAddress Parse(string amqpUri)
    {
        var uri = new Uri(amqpUri);
        var credentials = uri.UserInfo.Split(':', 2);
        var path = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new BrokerAddress(
            uri,
            path.Length == 0 ? "/" : path,
            Uri.UnescapeDataString(credentials[0]),
            credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "");
    }
}
