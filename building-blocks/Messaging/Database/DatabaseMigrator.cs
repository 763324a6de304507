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
/// each once, in order. An advisory lock lets several instances start together.
/// </summary>
internal sealed class DatabaseMigrator(
    string connectionString,
    Assembly serviceScripts,
    ILogger<DatabaseMigrator> logger) : IHostedLifecycleService
{
    // Any constant shared by every instance of every service works: each service has its own database.
    private const long MigrationLock = 0x45_44_41_4D_49_47; // "EDAMIG"

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        EnsureDatabase.For.PostgresqlDatabase(connectionString, new MicrosoftUpgradeLog(logger));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLock})", connection))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        var result = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, Group(0))
            .WithScriptsEmbeddedInAssembly(serviceScripts, Group(1))
            .WithTransactionPerScript()
            .LogTo(logger)
            .Build()
            .PerformUpgrade();

        // Closing the connection releases the advisory lock.
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
