using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Messaging;

/// <summary>The cleanup deletes sent outbox rows and processed inbox rows once they are older than their retention.</summary>
public sealed class MessagingCleanupTests(MessagingCleanupTests.ShortRetention system) : IClassFixture<MessagingCleanupTests.ShortRetention>
{
    // Long enough to see a row before it goes, short enough to see it go.
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Sent_outbox_rows_and_processed_inbox_rows_are_deleted_after_their_retention()
    {
        var sku = await system.StockAsync(onHand: 10);
        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());

        // The OrderPlaced, sent by Orders and taken by its own saga: the same id in the outbox and in the inbox.
        var placedId = await Eventually.Until(
            () => system.ScalarAsync<Guid?>(
                "orders",
                "SELECT id FROM outbox_messages WHERE message_type = 'urn:message:orders:order-placed:v1' AND body->>'orderId' = @Id AND sent_at IS NOT NULL",
                new { Id = orderId.ToString() }),
            id => id is not null);
        await Eventually.Until(() => RowsAsync(placedId!.Value), rows => rows == (1, 1), Retention);

        await Eventually.Until(() => RowsAsync(placedId!.Value), rows => rows == (0, 0), Retention * 3);
    }

    private async Task<(int Outbox, int Inbox)> RowsAsync(Guid messageId) => (
        await system.ScalarAsync<int>("orders", "SELECT count(*) FROM outbox_messages WHERE id = @messageId", new { messageId }),
        await system.ScalarAsync<int>("orders", "SELECT count(*) FROM inbox_messages WHERE message_id = @messageId", new { messageId }));

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
