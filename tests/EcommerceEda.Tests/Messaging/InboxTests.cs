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

    private const string InboxRowsSql = "SELECT count(*)::int FROM inbox_messages WHERE consumer = @Consumer AND message_id = @messageId";

    private readonly TransactionalOutbox _outbox = system.Orders.Services.GetRequiredService<TransactionalOutbox>();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static DateTimeOffset Tomorrow => DateTimeOffset.UtcNow.AddDays(1);

    [Fact]
    public async Task The_first_statement_writes_the_inbox_row_and_the_outbox_rows_and_counts_and_reads_only_its_own()
    {
        var messageId = Guid.CreateVersion7();
        var first = TestMessages.OrderPlaced("SKU-INBOX", quantity: 1);
        var second = TestMessages.OrderPlaced("SKU-INBOX", quantity: 2);
        var ids = new { Ids = new[] { first.Metadata.EventId, second.Metadata.EventId } };
        await using (var tx = await _outbox.BeginTransactionAsync(Cancellation))
        {
            tx.Receive(Consumer, messageId);
            await tx.ScheduleAsync(first, Tomorrow, Cancellation); // scheduled: no relay publishes it during the test
            Assert.Equal(1, await tx.ExecuteScalarAsync<int>(InboxRowsSql, new { Consumer, messageId }, Cancellation));

            await tx.ScheduleAsync(second, Tomorrow, Cancellation);
            Assert.Equal(2, await tx.ExecuteAsync("UPDATE outbox_messages SET attempts = attempts WHERE id = ANY(@Ids)", ids, Cancellation));
            Assert.Equal(
                ids.Ids.Order(),
                (await tx.QueryAsync<Guid>("SELECT id FROM outbox_messages WHERE id = ANY(@Ids)", ids, Cancellation)).Order());
            await tx.CommitAsync(Cancellation);
        }

        Assert.Equal(1, await InboxRowsAsync(messageId));
    }

    [Fact]
    public async Task A_message_consumed_before_is_refused_at_the_first_statement()
    {
        var messageId = await ConsumedAsync();

        await using var tx = await _outbox.BeginTransactionAsync(Cancellation);
        tx.Receive(Consumer, messageId);
        var refused = await Assert.ThrowsAsync<DuplicateMessageException>(
            () => tx.QuerySingleOrDefaultAsync<int>("SELECT 1", parameters: null, Cancellation));
        Assert.Contains(messageId.ToString(), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_unit_of_work_that_ran_no_statement_is_refused_at_its_commit()
    {
        var messageId = await ConsumedAsync();

        await using var tx = await _outbox.BeginTransactionAsync(Cancellation);
        tx.Receive(Consumer, messageId);
        await Assert.ThrowsAsync<DuplicateMessageException>(() => tx.CommitAsync(Cancellation));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_copy_consumed_while_the_first_is_in_flight_waits_for_it_and_is_refused_only_if_it_commits(bool firstCommits)
    {
        var messageId = Guid.CreateVersion7();
        await using var first = await _outbox.BeginTransactionAsync(Cancellation);
        first.Receive(Consumer, messageId);
        await first.ExecuteAsync("SELECT 1", parameters: null, Cancellation);

        await using var second = await _outbox.BeginTransactionAsync(Cancellation);
        second.Receive(Consumer, messageId);
        var copy = second.ExecuteScalarAsync<int>("SELECT 7", parameters: null, Cancellation);
        await Eventually.Until(
            () => system.ScalarAsync<bool>(
                "orders",
                "SELECT @First = ANY(pg_blocking_pids(@Second))",
                new { First = first.Connection.ProcessID, Second = second.Connection.ProcessID }),
            blocked => blocked);

        if (firstCommits)
        {
            await first.CommitAsync(Cancellation);
            await Assert.ThrowsAsync<DuplicateMessageException>(() => copy);
        }
        else
        {
            await first.DisposeAsync(); // rolled back: the copy is the first to consume the message
            Assert.Equal(7, await copy);
            await second.CommitAsync(Cancellation);
        }

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
        system.ScalarAsync<int>("orders", InboxRowsSql, new { Consumer, messageId });
}
