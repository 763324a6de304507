using Dapper;
using Mediator;
using Npgsql;

namespace EcommerceEda.Support.Features.FollowUps;

/// <summary>An order Support looks at first, and why.</summary>
public sealed record FollowUp(
    Guid OrderId, string CustomerId, string Reason, decimal Total, string Currency, string Country, DateTimeOffset OpenedAt);

/// <summary>The most recent priority follow-ups, newest first.</summary>
public sealed record GetFollowUps(int Limit) : IQuery<IReadOnlyList<FollowUp>>;

public sealed class GetFollowUpsHandler(NpgsqlDataSource db) : IQueryHandler<GetFollowUps, IReadOnlyList<FollowUp>>
{
    private const string Sql = """
        SELECT order_id AS OrderId, customer_id AS CustomerId, reason AS Reason, total AS Total,
               currency AS Currency, country AS Country, opened_at AS OpenedAt
        FROM follow_ups ORDER BY opened_at DESC LIMIT @Limit
        """;

    public async ValueTask<IReadOnlyList<FollowUp>> Handle(GetFollowUps query, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(Sql, query, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new FollowUp(
            r.OrderId, r.CustomerId, r.Reason, r.Total, r.Currency, r.Country, new DateTimeOffset(r.OpenedAt, TimeSpan.Zero)))];
    }

    private sealed record Row(Guid OrderId, string CustomerId, string Reason, decimal Total, string Currency, string Country, DateTime OpenedAt);
}
