using EcommerceEda.AppHost.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.UserSecrets;
using Npgsql;

namespace EcommerceEda.LoadTests.Target;

/// <summary>
/// A system already running, by default the one <c>./eng/run.sh</c> started on this machine: its fixed ports,
/// and the passwords and token signing key the AppHost generated and keeps in its user secrets. Every address can
/// be overridden.
/// </summary>
public static class RunningSystem
{
    private const string AppHostSecretsId = "ecommerce-eda-apphost";

    /// <summary>The system <paramref name="options"/> point at; it cannot be stopped or started from here.</summary>
    public static SystemUnderTest Connect(LoadTestOptions options)
    {
        var postgres = options.Postgres ?? new NpgsqlConnectionStringBuilder
        {
            Host = "localhost",
            Port = 35432,
            Username = "postgres",
            Password = Parameter("postgres-password"),
            Database = "postgres",
        }.ConnectionString;
        var broker = options.RabbitMq ?? new Uri($"amqp://eda:{Uri.EscapeDataString(Parameter("rabbitmq-password"))}@localhost:35672/");
        return new SystemUnderTest(
            options.OrdersUrl,
            options.WarehouseUrl,
            postgres,
            broker,
            options.RabbitMqManagementUrl,
            Secret(DevelopmentTokens.SigningKeyConfiguration),
            control: null,
            owner: null);
    }

    private static string Parameter(string name) => Secret($"Parameters:{name}");

    // Read as configuration: Aspire and dotnet user-jwts write the same settings nested or flattened.
    private static string Secret(string key)
    {
        var path = PathHelper.GetSecretsPathFromSecretsId(AppHostSecretsId);
        var secrets = new ConfigurationBuilder().AddJsonFile(path, optional: true).Build();
        return secrets[key]
            ?? throw new InvalidOperationException(
                $"No {key} in the AppHost's user secrets ({path}): start the system once with ./eng/run.sh, " +
                "or pass --Postgres and --RabbitMq.");
    }
}
