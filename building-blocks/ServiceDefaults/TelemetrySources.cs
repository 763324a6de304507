namespace Microsoft.Extensions.Hosting;

/// <summary>The activity sources and meters of the libraries and building blocks the services use.</summary>
public static class TelemetrySources
{
    /// <summary>MassTransit's activity source and meter.</summary>
    public const string MassTransit = "MassTransit";

    /// <summary>Npgsql's activity source and meter.</summary>
    public const string Npgsql = "Npgsql";

    /// <summary>The messaging building block (outbox, inbox).</summary>
    public const string Messaging = "EcommerceEda.Messaging";

    /// <summary>All of them.</summary>
    public static readonly string[] All = [MassTransit, Npgsql, Messaging];
}
