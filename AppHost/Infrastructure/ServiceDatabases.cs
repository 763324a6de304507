using Npgsql;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>
/// Each service's PostgreSQL role and database. The role logs in with its own password, owns its database and
/// what is in it, and nothing else: it is no superuser, may create neither roles nor databases, and no other role
/// may connect to its database (CONNECT is revoked from PUBLIC). The AppHost provisions them as the superuser once
/// the server answers and before any service starts; services never see the superuser's password.
/// </summary>
public static class ServiceDatabases
{
    /// <summary>Creates <paramref name="role"/> or sets its password; <paramref name="superuser"/> is open on any database.</summary>
    public static async Task EnsureRoleAsync(
        NpgsqlConnection superuser, string role, string password, CancellationToken cancellationToken)
    {
        // DDL takes no parameters: format() quotes the name (%I) and the password (%L) on the server.
        var statement = await ScalarAsync<string>(superuser, """
            SELECT format(
                CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = @role) THEN 'ALTER' ELSE 'CREATE' END
                || ' ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', @role::text, @password::text)
            """, new() { ["role"] = role, ["password"] = password }, cancellationToken);
        await ExecuteAsync(superuser, statement!, cancellationToken);
    }

    /// <summary>
    /// Creates <paramref name="database"/> owned by <paramref name="owner"/>, or hands an existing one and its objects
    /// over to it (a database an earlier version created as the superuser), and closes it to every other role. Each
    /// step finds what is left to do, so a run that failed halfway is finished by the next.
    /// </summary>
    public static async Task EnsureDatabaseAsync(
        NpgsqlConnection superuser, string database, string owner, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, object> { ["database"] = database, ["owner"] = owner };
        var currentOwner = await ScalarAsync<string>(
            superuser, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = @database", names, cancellationToken);
        if (currentOwner is null)
        {
            await ExecuteFormattedAsync(superuser, "CREATE DATABASE %I OWNER %I", names, cancellationToken);
        }
        else if (currentOwner != owner)
        {
            await ExecuteFormattedAsync(superuser, "ALTER DATABASE %I OWNER TO %I", names, cancellationToken);
        }

        await HandOverObjectsAsync(superuser, database, owner, cancellationToken);
        await ExecuteFormattedAsync(superuser, "REVOKE ALL ON DATABASE %I FROM PUBLIC", names, cancellationToken);
    }

    // Tables (their indexes, triggers and column sequences follow), other sequences and functions of the public schema.
    private static async Task HandOverObjectsAsync(
        NpgsqlConnection superuser, string database, string owner, CancellationToken cancellationToken)
    {
        // CloneWith keeps the password, which an open connection's ConnectionString no longer shows.
        var builder = new NpgsqlConnectionStringBuilder(superuser.ConnectionString) { Database = database, Pooling = false };
        await using var connection = superuser.CloneWith(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT format('ALTER TABLE %s OWNER TO %I', c.oid::regclass, @owner::text)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) <> @owner
              AND (c.relkind IN ('r', 'p', 'v', 'm')
                OR c.relkind = 'S' AND NOT EXISTS (
                    SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
            UNION ALL
            SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, @owner::text)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> @owner
            """, connection);
        command.Parameters.AddWithValue("owner", owner);
        var statements = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                statements.Add(reader.GetString(0));
            }
        }

        foreach (var statement in statements)
        {
            await ExecuteAsync(connection, statement, cancellationToken);
        }
    }

    private static async Task ExecuteFormattedAsync(
        NpgsqlConnection connection, string format, Dictionary<string, object> names, CancellationToken cancellationToken)
    {
        var statement = await ScalarAsync<string>(
            connection, "SELECT format(@format, @database::text, @owner::text)", new(names) { ["format"] = format }, cancellationToken);
        await ExecuteAsync(connection, statement!, cancellationToken);
    }

    private static async Task<T?> ScalarAsync<T>(
        NpgsqlConnection connection, string sql, Dictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync(cancellationToken) is T result ? result : default;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string statement, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(statement, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
