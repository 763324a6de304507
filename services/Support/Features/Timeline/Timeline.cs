using System.Text.Json;
using Dapper;
using Mediator;
using Npgsql;

namespace EcommerceEda.Support.Features.Timeline;

/// <summary>One event in a timeline, with its data as the source published it.</summary>
public sealed record TimelineEvent(
    Guid EventId, string Type, string Source, Guid OrderId, DateTimeOffset OccurredAt, JsonElement Data);

/// <summary>Everything Support observed about one order, oldest first.</summary>
public sealed record OrderTimeline(Guid OrderId, IReadOnlyList<TimelineEvent> Events);

/// <summary>Everything Support observed about one customer's orders, oldest first.</summary>
public sealed record CustomerTimeline(string CustomerId, IReadOnlyList<TimelineEvent> Events);

public sealed record GetOrderTimeline(Guid OrderId) : IQuery<OrderTimeline?>;

public sealed record GetCustomerTimeline(string CustomerId) : IQuery<CustomerTimeline>;

public sealed class TimelineHandlers(NpgsqlDataSource db)
    : IQueryHandler<GetOrderTimeline, OrderTimeline?>, IQueryHandler<GetCustomerTimeline, CustomerTimeline>
{
    private const string SelectSql = """
        SELECT event_id AS EventId, event_type AS Type, source AS Source, order_id AS OrderId,
               occurred_at AS OccurredAt, data::text AS Data
        FROM timeline_entries
        """;

    // Only an order's first events name its customer: the others are found through the order. The customer's orders
    // are gathered first, then their events by the index on order_id: planned once for every customer (generic plans),
    // "order_id IN (...)" was a sequential scan of the whole timeline when a few customers held most of it.
    private const string CustomersOrders = """
         WHERE order_id = ANY(ARRAY(SELECT DISTINCT order_id FROM timeline_entries WHERE customer_id = @CustomerId))
        """;

    // occurred_at orders events of one source; event_id (UUIDv7) breaks ties in the order they were created.
    private const string OrderBy = " ORDER BY occurred_at, event_id LIMIT 1000";

    public async ValueTask<OrderTimeline?> Handle(GetOrderTimeline query, CancellationToken cancellationToken)
    {
        var events = await ReadAsync(SelectSql + " WHERE order_id = @OrderId" + OrderBy, query, cancellationToken);
        return events.Count == 0 ? null : new OrderTimeline(query.OrderId, events);
    }

    public async ValueTask<CustomerTimeline> Handle(GetCustomerTimeline query, CancellationToken cancellationToken) =>
        new(query.CustomerId, await ReadAsync(SelectSql + CustomersOrders + OrderBy, query, cancellationToken));

    private async Task<IReadOnlyList<TimelineEvent>> ReadAsync(string sql, object query, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, query, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToEvent())];
    }

    private sealed record Row(Guid EventId, string Type, string Source, Guid OrderId, DateTime OccurredAt, string Data)
    {
        public TimelineEvent ToEvent() =>
            new(EventId, Type, Source, OrderId, new DateTimeOffset(OccurredAt, TimeSpan.Zero), JsonElement.Parse(Data));
    }
}
