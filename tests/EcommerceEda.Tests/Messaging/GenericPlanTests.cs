using Dapper;
using EcommerceEda.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// The services' connections plan each statement once for all its parameters' values (BENCHMARKS.md: re-planning the
/// statements with array parameters was about a fifth of PostgreSQL's CPU); each statement is written so that one plan
/// serves every value (ListOrders, GetPicks, MessagingCleanup).
/// </summary>
public sealed class GenericPlanTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Theory]
    [MemberData(nameof(TestSystem.ServiceNames), MemberType = typeof(TestSystem))]
    public async Task A_services_connections_use_generic_plans(string service)
    {
        await using var connection = await system.Host(service).Services.GetRequiredService<NpgsqlDataSource>()
            .OpenConnectionAsync(TestContext.Current.CancellationToken);

        Assert.Equal("force_generic_plan", await connection.ExecuteScalarAsync<string>("SHOW plan_cache_mode"));
    }
}
