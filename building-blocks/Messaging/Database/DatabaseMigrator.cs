using System.Reflection;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using DbUp.Support;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EcommerceEda.Messaging.Database;

/// <summary>
/// Brings the service's database up to date before anything else in the host starts
/// (<see cref="IHostedLifecycleService.StartingAsync"/> runs ahead of every <c>StartAsync</c>,
/// the web server's and the bus's included): it creates the database when missing, then applies
/// the numbered SQL scripts of the messaging building block and then those of the service,
/// each once, in order. Several instances starting together take turns on an advisory lock held in
/// the server's maintenance database, which exists before the service's own does.
/// </summary>
internal sealed class DatabaseMigrator(
    string connectionString,
    Assembly serviceScripts,
    ILogger<DatabaseMigrator> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database
            ?? throw new InvalidOperationException("The connection string names no database.");
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var @lock = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext(@database))", connection))
        {
            @lock.Parameters.AddWithValue("database", $"migrate {database}");
            await @lock.ExecuteNonQueryAsync(cancellationToken);
        }

        // The unpooled connection's close ends the session and with it the advisory lock, even on failure.
        Migrate();
    }

    private void Migrate()
    {
        var log = new MicrosoftUpgradeLog(logger);
        EnsureDatabase.For.PostgresqlDatabase(connectionString, log);
        var result = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, Group(0))
            .WithScriptsEmbeddedInAssembly(serviceScripts, Group(1))
            .WithTransactionPerScript()
            .LogTo(log)
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Database migration failed at script '{result.ErrorScript?.Name}'.", result.Error);
        }
    }

    private static SqlScriptOptions Group(int order) =>
        new() { ScriptType = ScriptType.RunOnce, RunGroupOrder = order };

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
