using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Messaging;

/// <summary>The cleanup deletes sent outbox rows and processed inbox rows once they are older than their retention.</summary>
public sealed class MessagingCleanupTests(MessagingCleanupTests.ShortRetention system) : IClassFixture<MessagingCleanupTests.ShortRetention>
{
    // Long enough to see a row before it goes, short enough to see it go.
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_sent_outbox_row_is_deleted_after_its_retention() =>
        await AssertDeletedAfterRetentionAsync("outbox_messages", "id", "sent_at", await OrderPlacedIdAsync());

    [Fact]
    public async Task A_processed_inbox_row_is_deleted_after_the_dedup_window() =>
        await AssertDeletedAfterRetentionAsync("inbox_messages", "message_id", "received_at", await OrderPlacedIdAsync());

    // The message id of a new order's OrderPlaced: Orders' outbox row, and its own saga's inbox row once it took it.
    private async Task<Guid> OrderPlacedIdAsync()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
        return await system.ScalarAsync<Guid>(
            "orders",
            $"SELECT id FROM outbox_messages WHERE {SystemCalls.OrderPlacedRow}",
            new { Id = orderId.ToString() });
    }

    // The row is seen with its time, then gone, and no sooner than its retention allowed (by the database's clock).
    private async Task AssertDeletedAfterRetentionAsync(string table, string idColumn, string timeColumn, Guid id)
    {
        var at = await Eventually.Until(
            () => system.ScalarAsync<DateTime?>("orders", $"SELECT {timeColumn} FROM {table} WHERE {idColumn} = @id", new { id }),
            at => at is not null);
        await Eventually.Until(
            () => system.ScalarAsync<int>("orders", $"SELECT count(*) FROM {table} WHERE {idColumn} = @id", new { id }),
            rows => rows == 0,
            Retention * 3);

        var goneBy = await system.ScalarAsync<DateTime>("orders", "SELECT now()");
        Assert.True(goneBy - at >= Retention, $"Deleted {goneBy - at} after its {timeColumn}, before its retention of {Retention}.");
    }

    /// <summary>A system whose sent and processed messages are kept for <see cref="Retention"/>.</summary>
    public sealed class ShortRetention(TestInfrastructure infrastructure) : TestSystem(infrastructure)
    {
        protected override IReadOnlyDictionary<string, string?> SettingOverrides => new Dictionary<string, string?>
        {
            ["Messaging:Relay:SentRetention"] = Retention.ToString(),
            ["Messaging:Inbox:DedupWindow"] = Retention.ToString(),
        };
    }
}
