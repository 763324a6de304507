using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Messaging;

/// <summary>
/// A message whose publish failed when the broker closed its connection before the confirm is published again as
/// soon as its short backoff ends, by a relay that its failure woke, not at that relay's next poll. Raises the broker's
/// memory alarm (broker-wide), so it runs alone.
/// </summary>
[Collection(typeof(BrokerOutage))]
public sealed class ConnectionLossTests(ConnectionLossTests.RareWakeUps system) : IClassFixture<ConnectionLossTests.RareWakeUps>
{
    [Fact]
    public async Task A_message_whose_confirm_was_lost_with_its_connection_is_published_again_at_once()
    {
        var sku = await system.StockAsync(onHand: 5);
        await system.Infrastructure.SetMemoryAlarmAsync(raised: true);
        try
        {
            // The order commits; the broker stops reading from Orders' connection at its OrderPlaced, which waits for a confirm.
            await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
            await Eventually.Until(() => system.Infrastructure.ConnectionStatesAsync(system.VirtualHost), states => states.Contains("blocked"));
            await system.Infrastructure.CloseConnectionsAsync(system.VirtualHost);
        }
        finally
        {
            await system.Infrastructure.SetMemoryAlarmAsync(raised: false);
        }

        // The relays poll every five minutes here and the dispatcher's lease is as long: only the wake-up brings it out.
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 1, TimeSpan.FromSeconds(60));
    }

    public sealed class RareWakeUps(TestInfrastructure infrastructure) : TestSystem(infrastructure)
    {
        protected override IReadOnlyDictionary<string, string?> SettingOverrides => new Dictionary<string, string?>
        {
            ["Messaging:Relay:PollInterval"] = "00:05:00",
            ["Messaging:Relay:DispatchLease"] = "00:05:00",
        };
    }
}
