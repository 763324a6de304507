using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration.UserSecrets;
using Npgsql;

namespace EcommerceEda.LoadTests.Target;

/// <summary>
/// A system already running, by default the one <c>./eng/run.sh</c> started on this machine: its fixed ports,
/// and the passwords the AppHost generated and keeps in its user secrets. Every address can be overridden.
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
        return new SystemUnderTest(
            options.OrdersUrl, options.WarehouseUrl, postgres, broker, options.RabbitMqManagementUrl, control: null, owner: null);
    }

    private static string Secret(string parameter)
    {
        var path = PathHelper.GetSecretsPathFromSecretsId(AppHostSecretsId);
        var secrets = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;
        return secrets?[$"Parameters:{parameter}"]?.GetValue<string>()
            ?? throw new InvalidOperationException(
                $"No {parameter} in the AppHost's user secrets ({path}): start the system once with ./eng/run.sh, " +
                "or pass --Postgres and --RabbitMq.");
    }
}
