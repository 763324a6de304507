using Npgsql;

namespace EcommerceEda.ServiceDefaults.Postgres;

/// <summary>
/// Tells a failure of the database itself (down, restarting, recovering, out of connections, a serialization
/// conflict) from a failure of the work: the first passes, and the same work succeeds when tried again unchanged.
/// </summary>
public static class TransientFailures
{
    // Npgsql's IsTransient leaves out the server shutting down and starting up (crash recovery included).
    private static readonly string[] ServerUnavailable =
        [PostgresErrorCodes.AdminShutdown, PostgresErrorCodes.CrashShutdown, PostgresErrorCodes.CannotConnectNow];

    /// <summary>Whether <paramref name="exception"/>, or one it wraps, is the database being unavailable for a while.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is NpgsqlException { IsTransient: true } || (current is PostgresException { SqlState: var state } && ServerUnavailable.Contains(state)))
            {
                return true;
            }
        }

        return false;
    }
}
