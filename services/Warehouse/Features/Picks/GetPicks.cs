using System.Text.Json;
using Dapper;
using Mediator;
using Npgsql;

namespace EcommerceEda.Warehouse.Features.Picks;

/// <summary>A pick task as the API shows it.</summary>
public sealed record PickTask(Guid TaskToken, Guid OrderId, JsonElement Lines, string Status, DateTimeOffset CreatedAt);

/// <summary>The pick tasks in a status, oldest first.</summary>
public sealed record GetPicks(string Status, int Limit) : IQuery<IReadOnlyList<PickTask>>;

public sealed class GetPicksHandler(NpgsqlDataSource db) : IQueryHandler<GetPicks, IReadOnlyList<PickTask>>
{
    public static readonly IReadOnlySet<string> Statuses = new HashSet<string>(["Pending", "Completed", "Cancelled"], StringComparer.Ordinal);

    private const string Sql = """
        SELECT task_token AS TaskToken, order_id AS OrderId, lines::text AS Lines, status AS Status, created_at AS CreatedAt
        FROM pick_tasks WHERE status = @Status ORDER BY created_at LIMIT @Limit
        """;

    public async ValueTask<IReadOnlyList<PickTask>> Handle(GetPicks query, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(Sql, query, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new PickTask(
            r.TaskToken, r.OrderId, JsonElement.Parse(r.Lines), r.Status, new DateTimeOffset(r.CreatedAt, TimeSpan.Zero)))];
    }

    private sealed record Row(Guid TaskToken, Guid OrderId, string Lines, string Status, DateTime CreatedAt);
}
