using System.Text.Json.Nodes;
using Dapper;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Npgsql;

namespace EcommerceEda.Tests.Messaging;

/// <summary>A stream reader applies events in the stream's order: one it cannot apply yet holds back those behind it.</summary>
public sealed class EventStreamOrderTests(TestSystem system) : IClassFixture<TestSystem>
{
    // The timeline's insert fails for one customer as it does while PostgreSQL restarts (57P03, transient), and counts the tries.
    // The sequence is granted to all: the trigger runs as Support's role.
    private static readonly string Block =
        "CREATE SEQUENCE blocked_attempts; GRANT USAGE ON SEQUENCE blocked_attempts TO PUBLIC;\n" + FailTimelineInserts(
            "block_timeline", "NEW.customer_id = 'stream-blocked'", "57P03", "the database system is starting up", "PERFORM nextval('blocked_attempts');");

    private static readonly string Unblock = Restore("block_timeline") + " DROP SEQUENCE blocked_attempts;";

    // One customer's OrderPlaced breaks a constraint (23514, not transient): it fails for good, however often it is tried.
    private static readonly string Poison = FailTimelineInserts(
        "poison_timeline", "NEW.customer_id = 'stream-poison' AND NEW.event_type = 'OrderPlaced'", "23514", "a poisoned event");

    private static readonly string Cure = Restore("poison_timeline");

    [Fact]
    public async Task An_event_that_keeps_failing_holds_back_the_events_behind_it_until_it_is_applied()
    {
        var sku = await system.StockAsync(onHand: 10);
        await SupportSqlAsync(Block);
        Guid blocked, behind;
        try
        {
            blocked = await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: "stream-blocked"), Requests.NewKey());

            // Placed once the reader is stuck on the blocked order's event, so its events are behind that one in the stream.
            await Eventually.Until(() => system.ScalarAsync<bool>("support", "SELECT is_called FROM blocked_attempts"), tried => tried);
            behind = await system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: "stream-behind"), Requests.NewKey());

            // More tries than one connection makes (5): the reader reconnected and went back to the blocked event...
            await Eventually.Until(() => system.ScalarAsync<long>("support", "SELECT last_value FROM blocked_attempts"), tries => tries > 5);
            Assert.Null(await system.TimelineAsync(behind)); // ...and applied nothing behind it, though it was delivered
        }
        finally
        {
            await SupportSqlAsync(Unblock);
        }

        await Eventually.Until(() => system.TimelineAsync(blocked), timeline => timeline is not null);
        await Eventually.Until(() => system.TimelineAsync(behind), timeline => timeline is not null);
    }

    [Fact]
    public async Task An_event_that_fails_for_good_is_skipped_and_the_events_read_with_it_are_applied()
    {
        var sku = await system.StockAsync(onHand: 10);
        await SupportSqlAsync(Poison);
        try
        {
            // Placed at once, so that their events reach the reader together: first tried in one transaction.
            var orders = await Task.WhenAll(
                system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: "stream-poison"), Requests.NewKey()),
                system.PlaceAsync(Requests.Order(sku, quantity: 1, customerId: "stream-beside-poison"), Requests.NewKey()));

            await Eventually.Until(() => system.TimelineAsync(orders[1]), timeline => EventTypes(timeline).Contains("StockReserved"));
            var poisoned = await Eventually.Until(() => system.TimelineAsync(orders[0]), timeline => EventTypes(timeline).Contains("StockReserved"));
            Assert.DoesNotContain("OrderPlaced", EventTypes(poisoned)); // skipped, and the reader went on past it
            Assert.Contains("OrderPlaced", EventTypes(await system.TimelineAsync(orders[1])));
        }
        finally
        {
            await SupportSqlAsync(Cure);
        }
    }

    // A trigger that makes Support's timeline inserts fail where `when` holds, with SQLSTATE `sqlState`, after `first`.
    private static string FailTimelineInserts(string name, string when, string sqlState, string message, string first = "") => $$"""
        CREATE FUNCTION {{name}}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {{when}} THEN
                {{first}}
                RAISE EXCEPTION '{{message}}' USING ERRCODE = '{{sqlState}}';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER {{name}} BEFORE INSERT ON timeline_entries FOR EACH ROW EXECUTE FUNCTION {{name}}();
        """;

    private static string Restore(string name) => $"DROP TRIGGER {name} ON timeline_entries; DROP FUNCTION {name}();";

    private static IEnumerable<string> EventTypes(JsonObject? timeline) =>
        timeline?["events"]?.AsArray().Select(e => e!["type"]!.GetValue<string>()) ?? [];

    private async Task SupportSqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(system.Database("support"));
        await connection.ExecuteAsync(sql);
    }
}
