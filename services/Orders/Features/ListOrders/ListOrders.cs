using System.Globalization;
using System.Text;
using Dapper;
using EcommerceEda.ServiceDefaults.Requests;
using Mediator;
using Npgsql;

namespace EcommerceEda.Orders.Features.ListOrders;

/// <summary>A page of orders, newest first, optionally of one customer and in one status.</summary>
public sealed record ListOrders(string? CustomerId, string? Status, int Limit, string? Cursor) : IQuery<OrderPage>, IValidatable
{
    public const int MaxLimit = 100;

    public IEnumerable<ValidationError> Validate()
    {
        if (Status is not null && !Enum.TryParse<OrderStatus>(Status, ignoreCase: false, out _))
        {
            yield return new("status", $"One of {string.Join(", ", Enum.GetNames<OrderStatus>())}.");
        }

        if (Limit is < 1 or > MaxLimit)
        {
            yield return new("limit", $"From 1 to {MaxLimit}.");
        }

        if (Cursor is not null && !PageCursor.TryParse(Cursor, out _))
        {
            yield return new("cursor", "Not a cursor this API gave out: pass nextCursor from the previous page.");
        }
    }
}

/// <summary>One line of the list.</summary>
public sealed record OrderSummary(Guid OrderId, string CustomerId, OrderStatus Status, string Currency, decimal Total, DateTimeOffset PlacedAt);

/// <summary>A page; <see cref="NextCursor"/> is null on the last one.</summary>
public sealed record OrderPage(IReadOnlyList<OrderSummary> Items, string? NextCursor);

/// <summary>Keyset pagination: the cursor is the position of the last order shown (placed_at, order_id).</summary>
internal readonly record struct PageCursor(DateTime PlacedAt, Guid OrderId)
{
    public static bool TryParse(string value, out PageCursor cursor)
    {
        cursor = default;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(value)).Split('|');
            if (parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var ticks) && Guid.TryParse(parts[1], out var orderId)
                && ticks is >= 0 && ticks <= DateTime.MaxValue.Ticks)
            {
                cursor = new PageCursor(new DateTime(ticks, DateTimeKind.Utc), orderId);
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }

    public override string ToString() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{PlacedAt.Ticks}|{OrderId}")));
}

public sealed class ListOrdersHandler(NpgsqlDataSource db) : IQueryHandler<ListOrders, OrderPage>
{
    private const string SelectSql = """
        SELECT order_id AS OrderId, customer_id AS CustomerId, status AS Status, currency AS Currency, total AS Total, placed_at AS PlacedAt
        FROM orders
        """;

    private const string OrderBySql = " ORDER BY placed_at DESC, order_id DESC LIMIT @Take";

    public async ValueTask<OrderPage> Handle(ListOrders query, CancellationToken cancellationToken)
    {
        PageCursor? after = query.Cursor is not null && PageCursor.TryParse(query.Cursor, out var cursor) ? cursor : null;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(Sql(query, after), new
        {
            query.CustomerId,
            query.Status,
            AfterPlacedAt = after?.PlacedAt,
            AfterOrderId = after?.OrderId,
            Take = query.Limit + 1,
        }, cancellationToken: cancellationToken))).AsList();
        var items = rows.Take(query.Limit).Select(r => new OrderSummary(
            r.OrderId, r.CustomerId, Enum.Parse<OrderStatus>(r.Status), r.Currency, r.Total, new DateTimeOffset(r.PlacedAt, TimeSpan.Zero))).ToList();
        var next = rows.Count > query.Limit ? new PageCursor(rows[query.Limit - 1].PlacedAt, rows[query.Limit - 1].OrderId).ToString() : null;
        return new OrderPage(items, next);
    }

    // Only the filters the query has: one statement text for each combination, each planned once for it (the services'
    // connections use generic plans). A single text with "@Status IS NULL OR status = @Status" would have one plan for
    // both cases, and that plan reads the whole table.
    private static string Sql(ListOrders query, PageCursor? after)
    {
        List<string> filters = [];
        if (query.CustomerId is not null)
        {
            filters.Add("customer_id = @CustomerId");
        }

        if (query.Status is not null)
        {
            filters.Add("status = @Status");
        }

        if (after is not null)
        {
            filters.Add("(placed_at, order_id) < (@AfterPlacedAt, @AfterOrderId)");
        }

        return filters.Count == 0 ? SelectSql + OrderBySql : $"{SelectSql} WHERE {string.Join(" AND ", filters)}{OrderBySql}";
    }

    private sealed record Row(Guid OrderId, string CustomerId, string Status, string Currency, decimal Total, DateTime PlacedAt);
}
