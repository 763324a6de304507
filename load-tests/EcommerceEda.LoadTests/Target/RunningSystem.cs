using System.Text.Json.Nodes;
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
            Password = Secret("postgres-password"),
            Database = "postgres",
        }.ConnectionString;
        var broker = options.RabbitMq ?? new Uri($"amqp://eda:{Uri.EscapeDataString(Secret("rabbitmq-password"))}@localhost:35672/");
        var signingKey = Secret("Authentication:Schemes:Bearer:SigningKeys", keys => keys?[0]?["Value"]);
        return new SystemUnderTest(
            options.OrdersUrl, options.WarehouseUrl, postgres, broker, options.RabbitMqManagementUrl, signingKey, control: null, owner: null);
    }

    private static string Secret(string parameter) => Secret($"Parameters:{parameter}", value => value);

    private static string Secret(string name, Func<JsonNode?, JsonNode?> value)
    {
        var path = PathHelper.GetSecretsPathFromSecretsId(AppHostSecretsId);
        var secrets = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;
        return value(secrets?[name])?.GetValue<string>()
            ?? throw new InvalidOperationException(
                $"No {name} in the AppHost's user secrets ({path}): start the system once with ./eng/run.sh, " +
                "or pass --Postgres and --RabbitMq.");
    }
}
