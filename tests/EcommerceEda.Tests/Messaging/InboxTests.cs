using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// The inbox row of a consumed message travels with the consumer's first statement: a unit of work pays no round trip
/// for it, and a message consumed before is refused there, before the consumer acts on what it read.
/// </summary>
public sealed class InboxTests(TestSystem system) : IClassFixture<TestSystem>
{
    private const string Consumer = "inbox-tests";

    private readonly TransactionalOutbox _outbox = system.Orders.Services.GetRequiredService<TransactionalOutbox>();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_first_statement_writes_the_inbox_row_and_the_outbox_rows_and_counts_only_its_own()
    {
        var messageId = Guid.CreateVersion7();
        var placed = TestMessages.OrderPlaced("SKU-INBOX", quantity: 1);
        await using (var tx = await _outbox.BeginTransactionAsync(Cancellation))
        {
            tx.Receive(Consumer, messageId);
            await tx.PublishAsync(placed, Cancellation);

            Assert.Equal(0, await tx.ExecuteAsync("UPDATE orders SET updated_at = now() WHERE false", parameters: null, Cancellation));
            Assert.Equal(1, await tx.QuerySingleAsync<int>(
                "SELECT count(*)::int FROM inbox_messages WHERE consumer = @Consumer AND message_id = @messageId",
                new { Consumer, messageId },
                Cancellation));
            Assert.Equal(1, await tx.QuerySingleAsync<int>(
                "SELECT count(*)::int FROM outbox_messages WHERE id = @EventId", placed.Metadata, Cancellation));
            await tx.CommitAsync(Cancellation);
        }

        Assert.Equal(1, await InboxRowsAsync(messageId));
    }

    [Fact]
    public async Task A_message_consumed_before_is_refused_at_the_first_statement_and_nothing_of_its_unit_of_work_stays()
    {
        var messageId = await ConsumedAsync();
        var placed = TestMessages.OrderPlaced("SKU-INBOX", quantity: 1);

        await using (var tx = await _outbox.BeginTransactionAsync(Cancellation))
        {
            tx.Receive(Consumer, messageId);
            await tx.PublishAsync(placed, Cancellation);
            var refused = await Assert.ThrowsAsync<DuplicateMessageException>(
                () => tx.QuerySingleOrDefaultAsync<int>("SELECT 1", parameters: null, Cancellation));
            Assert.Contains(messageId.ToString(), refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, await system.ScalarAsync<int>("orders", "SELECT count(*)::int FROM outbox_messages WHERE id = @EventId", placed.Metadata));
    }

    [Fact]
    public async Task A_unit_of_work_that_ran_no_statement_is_refused_at_its_commit()
    {
        var messageId = await ConsumedAsync();

        await using var tx = await _outbox.BeginTransactionAsync(Cancellation);
        tx.Receive(Consumer, messageId);
        await Assert.ThrowsAsync<DuplicateMessageException>(() => tx.CommitAsync(Cancellation));
    }

    [Fact]
    public async Task A_copy_consumed_while_the_first_is_still_in_flight_waits_for_it_and_is_refused_once_it_commits()
    {
        var messageId = Guid.CreateVersion7();
        await using var first = await _outbox.BeginTransactionAsync(Cancellation);
        first.Receive(Consumer, messageId);
        await first.ExecuteAsync("SELECT 1", parameters: null, Cancellation);

        await using var second = await _outbox.BeginTransactionAsync(Cancellation);
        second.Receive(Consumer, messageId);
        var refused = second.ExecuteScalarAsync<int>("SELECT 1", parameters: null, Cancellation);
        await Eventually.Until(
            () => system.ScalarAsync<int>("orders", "SELECT count(*)::int FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"),
            waiting => waiting == 1);
        Assert.False(refused.IsCompleted);

        await first.CommitAsync(Cancellation);
        await Assert.ThrowsAsync<DuplicateMessageException>(() => refused);
        Assert.Equal(1, await InboxRowsAsync(messageId));
    }

    private async Task<Guid> ConsumedAsync()
    {
        var messageId = Guid.CreateVersion7();
        await using var tx = await _outbox.BeginTransactionAsync(Cancellation);
        tx.Receive(Consumer, messageId);
        await tx.CommitAsync(Cancellation);
        return messageId;
    }

    private Task<int> InboxRowsAsync(Guid messageId) =>
        system.ScalarAsync<int>(
            "orders", "SELECT count(*)::int FROM inbox_messages WHERE consumer = @Consumer AND message_id = @messageId", new { Consumer, messageId });
}
