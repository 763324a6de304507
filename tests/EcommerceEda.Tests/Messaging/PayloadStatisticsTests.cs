using Dapper;
using EcommerceEda.Tests.Infrastructure;
using Npgsql;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// No query compares or sorts a JSON payload column itself (the saga journal reads ids out of one, which its statistics
/// do not help plan), so it carries no planner statistics: computing them was most of what autovacuum's ANALYZE cost
/// on the busy tables (messaging's 0008_no_statistics_on_payloads.sql).
/// </summary>
public sealed class PayloadStatisticsTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Theory]
    [MemberData(nameof(TestSystem.ServiceNames), MemberType = typeof(TestSystem))]
    public async Task No_JSON_column_of_a_service_collects_statistics(string service)
    {
        await using var connection = new NpgsqlConnection(system.Database(service));

        var columns = (await connection.QueryAsync<(string Column, bool Collects)>("""
            SELECT c.relname || '.' || a.attname, coalesce(a.attstattarget, -1) <> 0
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
              AND a.atttypid = 'jsonb'::regtype AND NOT a.attisdropped
            """)).ToList();

        Assert.Contains(columns, column => column.Column == "outbox_messages.body");
        Assert.Empty(columns.Where(column => column.Collects).Select(column => column.Column));
    }
}
