using Dapper;
using Mediator;
using Npgsql;

namespace EcommerceEda.Warehouse.Features.Picks;

/// <summary>The warehouse worker of demos and load tests: completes each pending pick once it is due.</summary>
public static class PickSimulation
{
    private const string DueSql = """
        SELECT task_token FROM pick_tasks WHERE status = 'Pending' AND created_at <= @Due ORDER BY created_at LIMIT 100
        """;

    public static async Task CompleteDuePicksAsync(IServiceProvider services, DateTimeOffset due, CancellationToken cancellationToken)
    {
        List<Guid> tokens;
        await using (var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken))
        {
            tokens = (await connection.QueryAsync<Guid>(new CommandDefinition(DueSql, new { Due = due }, cancellationToken: cancellationToken))).AsList();
        }

        var mediator = services.GetRequiredService<IMediator>();
        foreach (var token in tokens)
        {
            await mediator.Send(new CompletePick(token), cancellationToken);
        }
    }
}
