using Dapper;
using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Orders.Contracts;
using EcommerceEda.Orders.Features.PlaceOrder;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EcommerceEda.Tests.Messaging;

/// <summary>The outbox's two ways to the broker, the dispatcher at the commit and the relay, against the real outbox table and broker.</summary>
public sealed class OutboxRelayTests(TestSystem system) : IClassFixture<TestSystem>
{
    [Fact]
    public async Task A_unit_of_works_messages_are_published_at_its_commit_before_any_relay_may_claim_them()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());

        // Written with a lease (not due before not_before), published and marked sent within it: by the dispatcher.
        await Eventually.Until(
            () => system.ScalarAsync<int>("orders", $"SELECT count(*) FROM outbox_messages WHERE {SystemCalls.OrderPlacedRow} AND sent_at IS NOT NULL", new { Id = orderId.ToString() }),
            sent => sent == 1);
        Assert.True(await system.ScalarAsync<bool>(
            "orders", $"SELECT sent_at < not_before AND not_before > created_at FROM outbox_messages WHERE {SystemCalls.OrderPlacedRow}", new { Id = orderId.ToString() }));
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 1);
    }

    [Fact]
    public async Task A_message_committed_but_not_published_at_its_commit_is_published_by_the_relay_once_its_lease_ends()
    {
        var sku = await system.StockAsync(onHand: 10);
        var placed = TestMessages.OrderPlaced(sku, quantity: 1);
        await using (var tx = await system.Orders.Services.GetRequiredService<TransactionalOutbox>()
            .BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            await tx.PublishAsync(placed, TestContext.Current.CancellationToken);
            await WriteOrderAsync(tx, placed); // the outbox row goes with this statement
            await tx.Transaction.CommitAsync(TestContext.Current.CancellationToken); // and the process died before publishing it
        }

        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 1);
        Assert.True(await system.ScalarAsync<bool>(
            "orders", "SELECT sent_at >= not_before FROM outbox_messages WHERE id = @EventId", placed.Metadata));
    }

    [Fact]
    public async Task Messages_published_again_after_a_relay_crash_have_one_effect()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 2), Requests.NewKey());
        await Eventually.Until(() => system.TimelineAsync(orderId), timeline => timeline is not null);
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 2);
        using var sagaDuplicates = TestMessages.DuplicatesDropped(system.Orders.Services);

        // Counted from here: a test before it in this class may have left dead letters (a second Orders host disposed
        // while it consumed), which are not this test's.
        var deadLettersBefore = await system.DeadLetterCountAsync("orders-fulfillment");
        using var timelineReads = TestMessages.StreamEventsRead(system.Support.Services);

        // What a relay killed after the broker's confirm but before its commit leaves behind: a published row
        // still marked unsent. The next relay publishes it again, with the same message id. The dispatcher marks
        // its rows sent a moment after the confirm (it gathers them), which may be after the stock was reserved:
        // the mark is taken back once it is written, or it would be written over the crash.
        await Eventually.Until(
            () => system.ScalarAsync<bool>("orders", $"SELECT sent_at IS NOT NULL FROM outbox_messages WHERE {SystemCalls.OrderPlacedRow}", new { Id = orderId.ToString() }),
            marked => marked);
        await using (var orders = new NpgsqlConnection(system.Database("orders")))
        {
            await orders.ExecuteAsync($"UPDATE outbox_messages SET sent_at = NULL WHERE {SystemCalls.OrderPlacedRow}; NOTIFY outbox_messages;", new { Id = orderId.ToString() });
        }

        await sagaDuplicates.WaitForMeasurementsAsync(1, Eventually.DefaultTimeout);
        await timelineReads.WaitForMeasurementsAsync(1, Eventually.DefaultTimeout); // the copy, from the stream
        Assert.Equal(2, await system.ReservedAsync(sku));
        Assert.Single((await system.TimelineAsync(orderId))!["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "OrderPlaced");
        Assert.Equal(deadLettersBefore, await system.DeadLetterCountAsync("orders-fulfillment"));
    }

    [Fact]
    public async Task A_scheduled_message_is_published_not_before_its_time_even_across_a_relay_restart()
    {
        var sku = await system.StockAsync(onHand: 10);
        var placed = TestMessages.OrderPlaced(sku, quantity: 1);
        var notBefore = DateTimeOffset.UtcNow.AddSeconds(3);
        await using (var scheduler = system.NewHost<PlaceOrderHandler>("orders"))
        {
            await using var tx = await scheduler.Services.GetRequiredService<TransactionalOutbox>()
                .BeginTransactionAsync(TestContext.Current.CancellationToken);
            await tx.ScheduleAsync(placed, notBefore, TestContext.Current.CancellationToken);
            await WriteOrderAsync(tx, placed);
            await tx.CommitAsync(TestContext.Current.CancellationToken);
        }

        // That host and its relay are gone; the fixture's Orders instance plays the restarted service.
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 1);
        var sentAt = await system.ScalarAsync<DateTime>(
            "orders", "SELECT sent_at FROM outbox_messages WHERE id = @EventId", placed.Metadata);
        var reservedAt = await system.ScalarAsync<DateTime>(
            "warehouse", "SELECT created_at FROM reservations WHERE order_id = @OrderId", placed);
        Assert.True(sentAt >= notBefore.UtcDateTime, $"sent at {sentAt:O}, scheduled for {notBefore:O}");
        Assert.True(reservedAt >= notBefore.UtcDateTime, $"reserved at {reservedAt:O}, scheduled for {notBefore:O}");
    }

    [Fact]
    public async Task A_timer_cancelled_before_its_time_is_never_published_and_one_due_after_it_still_is()
    {
        var (cancelledSku, keptSku) = (await system.StockAsync(onHand: 10), await system.StockAsync(onHand: 10));
        var (cancelled, kept) = (TestMessages.OrderPlaced(cancelledSku, quantity: 1), TestMessages.OrderPlaced(keptSku, quantity: 1));
        var outbox = system.Orders.Services.GetRequiredService<TransactionalOutbox>();
        Guid timer;
        await using (var tx = await outbox.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            timer = await tx.ScheduleAsync(cancelled, DateTimeOffset.UtcNow.AddSeconds(4), TestContext.Current.CancellationToken);
            await tx.ScheduleAsync(kept, DateTimeOffset.UtcNow.AddSeconds(5), TestContext.Current.CancellationToken);
            await WriteOrderAsync(tx, cancelled);
            await WriteOrderAsync(tx, kept);
            await tx.CommitAsync(TestContext.Current.CancellationToken);
        }

        await using (var tx = await outbox.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            await tx.UnscheduleAsync(timer, TestContext.Current.CancellationToken);
            var updated = await tx.ExecuteAsync( // the deletion travels with it, and is not counted as its rows
                "UPDATE orders SET updated_at = now() WHERE order_id = @OrderId", cancelled, TestContext.Current.CancellationToken);
            await tx.CommitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(1, updated);
            Assert.Equal([timer], tx.Unscheduled);
        }

        Assert.Equal(timer, cancelled.Metadata.EventId); // an event's outbox id is its own
        Assert.Equal(0, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM outbox_messages WHERE id = @EventId", cancelled.Metadata));
        await Eventually.Until(() => system.ReservedAsync(keptSku), reserved => reserved == 1); // due a second after the other
        Assert.Equal(0, await system.ReservedAsync(cancelledSku));
    }

    [Fact]
    public async Task A_timer_cannot_be_cancelled_before_a_statement_has_written_it()
    {
        await using var tx = await system.Orders.Services.GetRequiredService<TransactionalOutbox>()
            .BeginTransactionAsync(TestContext.Current.CancellationToken);
        var timer = await tx.ScheduleAsync(TestMessages.OrderPlaced("SKU-1", quantity: 1), DateTimeOffset.UtcNow.AddDays(1), TestContext.Current.CancellationToken);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => tx.UnscheduleAsync(timer, TestContext.Current.CancellationToken));

        Assert.Equal(
            $"Message {timer} is not in the outbox yet: a unit of work cannot cancel a message before a statement has written it.",
            refused.Message);
    }

    [Fact]
    public async Task A_message_due_at_once_cannot_be_cancelled()
    {
        var placed = TestMessages.OrderPlaced("SKU-1", quantity: 1);
        await using var tx = await system.Orders.Services.GetRequiredService<TransactionalOutbox>()
            .BeginTransactionAsync(TestContext.Current.CancellationToken);
        await tx.PublishAsync(placed, TestContext.Current.CancellationToken);
        await WriteOrderAsync(tx, placed); // the outbox row goes with this statement

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => tx.UnscheduleAsync(placed.Metadata.EventId, TestContext.Current.CancellationToken));

        Assert.Equal($"Message {placed.Metadata.EventId} is not scheduled: it is published when this unit of work commits.", refused.Message);
        Assert.Empty(tx.Unscheduled);
    }

    [Fact]
    public async Task An_event_whose_metadata_names_another_schema_version_than_its_urn_is_refused()
    {
        var placed = TestMessages.OrderPlaced("SKU-1", quantity: 1);
        placed = placed with { Metadata = placed.Metadata with { SchemaVersion = 2 } };
        await using var tx = await system.Orders.Services.GetRequiredService<TransactionalOutbox>()
            .BeginTransactionAsync(TestContext.Current.CancellationToken);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => tx.PublishAsync(placed, TestContext.Current.CancellationToken));

        Assert.Equal(
            "OrderPlaced is urn:message:orders:order-placed:v1, but its metadata says schema version 2: pass the URN's version to EventSource.Metadata(key, schemaVersion).",
            refused.Message);
    }

    [Fact]
    public async Task Sent_rows_past_their_retention_and_inbox_rows_past_the_dedup_window_are_deleted()
    {
        var (oldId, recentId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await using (var orders = new NpgsqlConnection(system.Database("orders")))
        {
            await orders.ExecuteAsync(
                """
                INSERT INTO outbox_messages (id, message_type, body, sent_at) VALUES
                    (@oldId, 'urn:message:test', '{}', now() - interval '3 days'),
                    (@recentId, 'urn:message:test', '{}', now())
                """,
                new { oldId, recentId });
        }

        await using (var warehouse = new NpgsqlConnection(system.Database("warehouse")))
        {
            await warehouse.ExecuteAsync(
                """
                INSERT INTO inbox_messages (consumer, message_id, received_at) VALUES
                    ('test', @oldId, now() - interval '3 days'), ('test', @recentId, now())
                """,
                new { oldId, recentId });
        }

        await Eventually.Until(
            () => system.ScalarAsync<int>("orders", "SELECT count(*) FROM outbox_messages WHERE id = @oldId", new { oldId }),
            count => count == 0);
        await Eventually.Until(
            () => system.ScalarAsync<int>("warehouse", "SELECT count(*) FROM inbox_messages WHERE message_id = @oldId", new { oldId }),
            count => count == 0);
        Assert.Equal(1, await system.ScalarAsync<int>("orders", "SELECT count(*) FROM outbox_messages WHERE id = @recentId", new { recentId }));
        Assert.Equal(1, await system.ScalarAsync<int>("warehouse", "SELECT count(*) FROM inbox_messages WHERE message_id = @recentId", new { recentId }));
    }

    // The order a made-up OrderPlaced describes, so that the saga can record its steps (the history needs the order).
    private static Task<int> WriteOrderAsync(OutboxTransaction tx, OrderPlaced placed) =>
        tx.ExecuteAsync(
            """
            INSERT INTO orders (order_id, customer_id, status, currency, total, lines, shipping_address, placed_at, updated_at)
            VALUES (@OrderId, @CustomerId, 'Placed', @Currency, @Total, '[]', '{}', now(), now())
            """,
            new { placed.OrderId, placed.CustomerId, placed.Currency, placed.Total },
            TestContext.Current.CancellationToken);
}
