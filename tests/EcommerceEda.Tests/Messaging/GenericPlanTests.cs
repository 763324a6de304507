using Dapper;
using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Inbox;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Orders.Features.ListOrders;
using EcommerceEda.Support.Features.Timeline;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Warehouse.Features.Picks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// The services' connections plan each statement once for all its parameters' values (BENCHMARKS.md: planning the
/// statements with array parameters anew at every execution was about a fifth of PostgreSQL's CPU). The statements
/// whose best plan depends on those values run here under generic plans, on tables as lopsided as a load test leaves
/// them (one customer with most orders, most pick tasks completed), and none may read a whole table: no sequential scan
/// of it, and no walk along an index that reads rows only to drop them (<see cref="ExplainedDataSource"/>).
/// </summary>
public sealed class GenericPlanTests(TestSystem system) : IClassFixture<TestSystem>
{
    private const int Rows = 20_000;

    [Theory]
    [MemberData(nameof(TestSystem.ServiceNames), MemberType = typeof(TestSystem))]
    public async Task A_services_connections_use_generic_plans(string service)
    {
        await using var connection = await system.Host(service).Services.GetRequiredService<NpgsqlDataSource>()
            .OpenConnectionAsync(TestContext.Current.CancellationToken);

        Assert.Equal("force_generic_plan", await connection.ExecuteScalarAsync<string>("SHOW plan_cache_mode"));
    }

    [Fact]
    public async Task Listing_orders_reads_no_whole_table_whatever_the_filters()
    {
        await SeedAsync("orders", "orders", $$"""
            INSERT INTO orders (order_id, customer_id, status, currency, total, lines, shipping_address, placed_at, updated_at)
            SELECT gen_random_uuid(), CASE WHEN i > {{Rows}} - 100 THEN 'few-' || i % 10 ELSE 'load' END,
                   CASE WHEN i % 50 = 0 THEN 'Cancelled' ELSE 'Delivered' END, 'EUR', 10, '[]', '{}',
                   now() - i * interval '1 second', now()
            FROM generate_series(1, {{Rows}}) i
            """);
        await using var explained = Explained("orders");
        var handler = new ListOrdersHandler(explained.Db);

        // A status alone walks the orders newest first until its page is full (no index on the status: see
        // 0004_orders_by_placed_at.sql), cheap for a status one order in fifty has, as here; long for a rare one.
        // One customer has most orders; ten have ten each, the oldest: found by their index, not by reading the others.
        foreach (var customerId in new[] { null, "few-0" })
        {
            foreach (var status in new[] { null, "Cancelled" })
            {
                var first = await handler.Handle(new ListOrders(customerId, status, 1, null), TestContext.Current.CancellationToken);
                Assert.NotNull(first.NextCursor);
                await handler.Handle(new ListOrders(customerId, status, 1, first.NextCursor), TestContext.Current.CancellationToken);
            }
        }

        explained.AssertNoWholeReadOf("orders", plans: 8, Rows);
    }

    [Fact]
    public async Task Listing_pick_tasks_reads_no_whole_table_whatever_the_status()
    {
        await SeedAsync("warehouse", "pick_tasks", $$"""
            INSERT INTO pick_tasks (task_token, order_id, lines, status, created_at)
            SELECT gen_random_uuid(), gen_random_uuid(), '[]', CASE WHEN i % 1000 = 0 THEN 'Pending' ELSE 'Completed' END,
                   now() - i * interval '1 second'
            FROM generate_series(1, {{Rows}}) i
            """);
        await using var explained = Explained("warehouse");
        var handler = new GetPicksHandler(explained.Db);

        foreach (var status in GetPicksHandler.Statuses)
        {
            await handler.Handle(new GetPicks(status, 10), TestContext.Current.CancellationToken);
        }

        explained.AssertNoWholeReadOf("pick_tasks", plans: GetPicksHandler.Statuses.Count, Rows);
    }

    [Fact]
    public async Task A_customers_timeline_reads_no_whole_table_however_few_customers_hold_it()
    {
        await SeedAsync("support", "timeline_entries", $$"""
            INSERT INTO timeline_entries (event_id, order_id, customer_id, event_type, source, occurred_at, data)
            SELECT gen_random_uuid(), gen_random_uuid(), CASE WHEN i % 100 = 0 THEN 'few-' || i ELSE 'load' END,
                   'OrderPlaced', 'orders', now(), '{}'
            FROM generate_series(1, {{Rows}}) i
            """);
        await using var explained = Explained("support");

        await new TimelineHandlers(explained.Db).Handle(new GetCustomerTimeline("few-100"), TestContext.Current.CancellationToken);

        explained.AssertNoWholeReadOf("timeline_entries", plans: 1, Rows);
    }

    [Fact]
    public async Task The_cleanup_reads_no_whole_outbox_or_inbox()
    {
        // Sent and processed within the retention the cleanup keeps, so nothing is deleted: the plan is what is checked,
        // and a generic plan does not depend on the values. The services' own cleanup leaves them alone too.
        await SeedAsync("orders", "outbox_messages", $$"""
            INSERT INTO outbox_messages (id, message_type, body, created_at, not_before, sent_at)
            SELECT gen_random_uuid(), 'seeded', '{}', now() - i * interval '1 second', now() - i * interval '1 second', now() - i * interval '1 second'
            FROM generate_series(1, {{Rows}}) i
            """);
        await SeedAsync("orders", "inbox_messages", $$"""
            INSERT INTO inbox_messages (consumer, message_id, received_at)
            SELECT 'seeded', gen_random_uuid(), now() - i * interval '1 second' FROM generate_series(1, {{Rows}}) i
            """);
        await using var explained = Explained("orders");
        using var cleanup = new MessagingCleanup(
            explained.Db, Options.Create(new OutboxRelayOptions()), Options.Create(new InboxOptions()), TimeProvider.System,
            NullLogger<MessagingCleanup>.Instance);

        await cleanup.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.Until(
            () => Task.FromResult(explained.Plans.Count(plan => plan.Any(step => (string?)step["Operation"] == "Delete"))),
            deletes => deletes >= 2);
        await cleanup.StopAsync(TestContext.Current.CancellationToken);

        explained.AssertNoWholeReadOf("outbox_messages", plans: 1, Rows);
        explained.AssertNoWholeReadOf("inbox_messages", plans: 1, Rows);
    }

    private async Task SeedAsync(string service, string table, string insertSql)
    {
        await using var connection = new NpgsqlConnection(system.Database(service));
        await connection.ExecuteAsync($"{insertSql}; ANALYZE {table}");
    }

    // The superuser's connections to one service's database, each logging the plan of every statement it runs.
    private ExplainedDataSource Explained(string service) => ExplainedDataSource.Create(system.Database(service));
}
