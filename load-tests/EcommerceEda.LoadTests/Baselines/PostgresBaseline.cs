using EcommerceEda.LoadTests.Target;
using Npgsql;

namespace EcommerceEda.LoadTests.Baselines;

/// <summary>
/// PostgreSQL commits per second for a transaction shaped like one of the services' consumers: the inbox row,
/// an update of a business row, an outbox row (leased to the dispatcher, so its trigger notifies no relay), each its
/// own statement, in a scratch database on the same server.
/// </summary>
public static class PostgresBaseline
{
    private const string Database = "eda_baseline";
    private const int Rows = 1_000;

    private static readonly string Body = $$"""{"orderId":"{{Guid.Empty}}","lines":[{"sku":"SKU-1","quantity":1,"unitPrice":9.95}],"padding":"{{new string('x', 400)}}"}""";

    /// <summary>Measures the transaction at growing concurrency and drops the scratch database afterwards.</summary>
    public static async Task<BaselineResult> MeasureAsync(SystemUnderTest system, Action<BaselineLevel> progress, CancellationToken cancellationToken)
    {
        await RecreateAsync(system, cancellationToken);
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(system.Database(Database));
            return await Baseline.MeasureAsync(
                "PostgreSQL: consumer-shaped transactions/s",
                [1, 2, 4, 8, 16, 32],
                (worker, token) => TransactAsync(dataSource, token),
                progress,
                cancellationToken);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(system.Postgres, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)", CancellationToken.None);
        }
    }

    private static async Task TransactAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var inbox = new NpgsqlCommand("INSERT INTO inbox_messages (consumer, message_id) VALUES ('baseline', @id) ON CONFLICT DO NOTHING", connection, transaction))
        {
            inbox.Parameters.AddWithValue("id", Guid.CreateVersion7());
            await inbox.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var update = new NpgsqlCommand("UPDATE stock SET reserved = reserved + 1 WHERE id = @id", connection, transaction))
        {
            update.Parameters.AddWithValue("id", Random.Shared.Next(Rows));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var outbox = new NpgsqlCommand("INSERT INTO outbox_messages (id, message_type, body, not_before) VALUES (@id, 'urn:message:baseline', @body::jsonb, now() + interval '5 seconds')", connection, transaction))
        {
            outbox.Parameters.AddWithValue("id", Guid.CreateVersion7());
            outbox.Parameters.AddWithValue("body", Body);
            await outbox.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task RecreateAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        await ExecuteAsync(system.Postgres, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)", cancellationToken);
        await ExecuteAsync(system.Postgres, $"CREATE DATABASE {Database}", cancellationToken);
        await ExecuteAsync(
            system.Database(Database),
            $"""
            CREATE TABLE inbox_messages (
                consumer text NOT NULL, message_id uuid NOT NULL, received_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer, message_id));
            CREATE TABLE stock (id int PRIMARY KEY, reserved bigint NOT NULL);
            INSERT INTO stock SELECT g, 0 FROM generate_series(0, {Rows - 1}) g;
            CREATE TABLE outbox_messages (
                id uuid PRIMARY KEY, message_type text NOT NULL, destination text NULL, body jsonb NOT NULL,
                trace_parent text NULL, created_at timestamptz NOT NULL DEFAULT now(),
                not_before timestamptz NOT NULL DEFAULT now(), sent_at timestamptz NULL);
            CREATE INDEX outbox_messages_pending ON outbox_messages (not_before) WHERE sent_at IS NULL;
            CREATE FUNCTION outbox_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_notify('outbox_messages', ''); RETURN NULL; END $$;
            CREATE TRIGGER outbox_messages_inserted AFTER INSERT ON outbox_messages
                FOR EACH ROW WHEN (NEW.not_before <= NEW.created_at) EXECUTE FUNCTION outbox_messages_notify();
            """,
            cancellationToken);
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
