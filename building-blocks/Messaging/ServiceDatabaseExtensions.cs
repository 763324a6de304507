using System.Reflection;
using EcommerceEda.Messaging.Database;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers a service's own PostgreSQL database.</summary>
public static class ServiceDatabaseExtensions
{
    /// <summary>The connection option that has PostgreSQL plan each prepared statement once, for every value.</summary>
    internal const string PlanOnce = "-c plan_cache_mode=force_generic_plan";

    /// <summary>
    /// The service's database: an <c>NpgsqlDataSource</c> with health check, tracing and metrics (Aspire.Npgsql),
    /// created on start if missing and migrated with the messaging scripts (outbox, inbox) and then the
    /// service's own numbered scripts, embedded from <paramref name="migrations"/> (<c>Database/Migrations/*.sql</c>).
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase(
        this IHostApplicationBuilder builder, string connectionName, Assembly migrations)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException(
                $"Connection string '{connectionName}' is missing: run the service through the AppHost or set ConnectionStrings__{connectionName}.");
        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: dataSource =>
        {
            // Every statement of the services is one of a few dozen texts run over and over: prepared on each pooled
            // connection after a few uses, PostgreSQL stops parsing and planning them (unless the connection string sets it).
            if (dataSource.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                dataSource.ConnectionStringBuilder.MaxAutoPrepare = 100;
            }

            // Planned once, too: PostgreSQL otherwise plans a statement with an array parameter (the saga's journal, the
            // stock by SKUs) anew at every execution, weighing its generic plan for an array of unknown length against
            // one for the array at hand: about a fifth of its CPU under load (BENCHMARKS.md). One plan for every value
            // asks each statement to be written for it: no "@X IS NULL OR ...", no parameter against a partial index's
            // condition, no join whose best shape depends on how many rows a value matches (GenericPlanTests).
            if (dataSource.ConnectionStringBuilder.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
            {
                dataSource.ConnectionStringBuilder.Options =
                    $"{dataSource.ConnectionStringBuilder.Options} {PlanOnce}".TrimStart();
            }

            // Nothing here leaves session state on a pooled connection (settings are SET LOCAL, a listener keeps its
            // connection until it stops, the migrator's lock is on a connection of its own), so a connection back in
            // the pool is not reset: the reset, sent with the next statement, was a transaction of its own for every
            // unit of work.
            dataSource.ConnectionStringBuilder.NoResetOnClose = true;
        });
        builder.Services.AddHostedService(services => new DatabaseMigrator(
            connectionString, migrations, services.GetRequiredService<ILogger<DatabaseMigrator>>()));
        return builder;
    }
}
