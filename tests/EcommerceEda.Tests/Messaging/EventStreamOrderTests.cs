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
    private const string Block = """
        CREATE SEQUENCE blocked_attempts;
        GRANT USAGE ON SEQUENCE blocked_attempts TO PUBLIC; -- the trigger runs as Support's role
        CREATE FUNCTION block_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.customer_id = 'stream-blocked' THEN
                PERFORM nextval('blocked_attempts');
                RAISE EXCEPTION 'the database system is starting up' USING ERRCODE = '57P03';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER block_timeline BEFORE INSERT ON timeline_entries FOR EACH ROW EXECUTE FUNCTION block_timeline();
        """;

    private const string Unblock = "DROP TRIGGER block_timeline ON timeline_entries; DROP FUNCTION block_timeline(); DROP SEQUENCE blocked_attempts;";

    // One customer's OrderPlaced breaks a constraint (23514, not transient): it fails for good, however often it is tried.
    private const string Poison = """
        CREATE FUNCTION poison_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.customer_id = 'stream-poison' AND NEW.event_type = 'OrderPlaced' THEN
                RAISE EXCEPTION 'a poisoned event' USING ERRCODE = '23514';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER poison_timeline BEFORE INSERT ON timeline_entries FOR EACH ROW EXECUTE FUNCTION poison_timeline();
        """;

    private const string Cure = "DROP TRIGGER poison_timeline ON timeline_entries; DROP FUNCTION poison_timeline();";

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

    private static IEnumerable<string> EventTypes(JsonObject? timeline) =>
        timeline?["events"]?.AsArray().Select(e => e!["type"]!.GetValue<string>()) ?? [];

    private async Task SupportSqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(system.Database("support"));
        await connection.ExecuteAsync(sql);
    }
}
