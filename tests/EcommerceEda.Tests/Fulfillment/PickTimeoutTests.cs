using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.Fulfillment;

/// <summary>A system whose pick SLA is three seconds.</summary>
public sealed class ShortPickTimeoutSystem(TestInfrastructure infrastructure) : TestSystem(infrastructure)
{
    protected override IReadOnlyDictionary<string, string?> SettingOverrides =>
        new Dictionary<string, string?> { ["Orders:Fulfillment:PickTimeout"] = "00:00:03" };
}

/// <summary>The pick SLA: a durable timer set through the outbox, which fires once, even across a restart.</summary>
public sealed class PickTimeoutTests(ShortPickTimeoutSystem system) : IClassFixture<ShortPickTimeoutSystem>
{
    internal const string DeadlineType = "urn:message:orders:pick-deadline-passed:v1";

    [Fact]
    public async Task An_order_not_picked_in_time_is_cancelled_and_its_stock_released()
    {
        var sku = await system.StockAsync(onHand: 10);

        var orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 2), Requests.NewKey());

        var order = await system.WaitForStatusAsync(orderId, "Cancelled");
        Assert.Equal("PickTimeout", order["history"]!.AsArray().Last()!["reason"]!.GetValue<string>());
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 0);
    }

    /// <summary>The outbox rows of the order's pick timer: 1 from when it is set until a step cancels it.</summary>
    internal static Task<int> DeadlineRowsAsync(TestSystem system, Guid orderId) =>
        system.ScalarAsync<int>(
            "orders",
            "SELECT count(*) FROM outbox_messages WHERE message_type = @DeadlineType AND body->>'orderId' = @Id",
            new { DeadlineType, Id = orderId.ToString() });

    internal static Task<bool> DeadlineSentAsync(TestSystem system, Guid orderId) =>
        system.ScalarAsync<bool>(
            "orders",
            "SELECT EXISTS (SELECT 1 FROM outbox_messages WHERE message_type = @DeadlineType AND body->>'orderId' = @Id AND sent_at IS NOT NULL)",
            new { DeadlineType, Id = orderId.ToString() });
}
