using Dapper;
using EcommerceEda.LoadTests.Faults;
using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Target;
using EcommerceEda.Tests.EndToEnd;
using Npgsql;

namespace EcommerceEda.Tests.LoadTests;

/// <summary>The fault scenarios' ledger: it passes a clean load, and it sees each kind of damage it is there to find.</summary>
[Collection(typeof(EndToEnd.EndToEnd))]
public sealed class LedgerTests(AppHostFixture app) : IClassFixture<AppHostFixture>
{
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_ledger_passes_a_clean_load_and_names_every_order_lost_effect_missing_or_doubled_and_message_stuck()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var system = await app.SystemUnderTestAsync();
        var stock = new Stock();
        await stock.FillAsync(system, cancellationToken);
        var deadLetters = await Ledger.DeadLettersAsync(system, cancellationToken);
        var load = await new OrderLoad(system, stock, _ => { }).RunAsync(
            rate: 5, TimeSpan.FromSeconds(2), completionTimeout: TimeSpan.FromSeconds(60), during: null, cancellationToken);

        var clean = await Ledger.CheckAsync(system, load, stock, deadLetters, expectedDeadLetters: 0, QuietTimeout, cancellationToken);

        Assert.True(clean.Passed, string.Join('\n', clean.Findings));
        Assert.Equal(10, clean.Orders);

        // An order the API acknowledged that never reached the database; then damage to what the others did.
        var lost = Guid.CreateVersion7();
        var acknowledged = load with { Orders = [.. load.Orders, new PlacedOrder(TimeSpan.Zero, TimeSpan.Zero, 202, lost)] };
        var orders = load.Outcomes.Keys.Order().ToArray();
        var stuck = Guid.CreateVersion7();
        await ExecuteAsync(system, "delivery", "DELETE FROM shipments WHERE order_id = @Id", orders[1]);
        await ExecuteAsync(system, "orders", """
            INSERT INTO order_history (order_id, seq, status, at) SELECT @Id, max(seq) + 1, 'Delivered', now() FROM order_history WHERE order_id = @Id
            """, orders[2]);
        await ExecuteAsync(system, "support", """
            INSERT INTO timeline_entries (event_id, order_id, customer_id, event_type, source, occurred_at, data)
            SELECT gen_random_uuid(), order_id, customer_id, event_type, source, occurred_at, data FROM timeline_entries
            WHERE order_id = @Id AND event_type = 'OrderCompleted'
            """, orders[3]);
        await ExecuteAsync(system, "warehouse", "UPDATE stock SET reserved = reserved + 1 WHERE sku = @Id", stock.Skus.First());
        try
        {
            // A message the relay cannot publish: its type is not one the service declared.
            await ExecuteAsync(system, "support", """
                INSERT INTO outbox_messages (id, message_type, body) VALUES (@Id, 'urn:message:tests:undeclared:v1', '{}')
                """, stuck);

            var damaged = await Ledger.CheckAsync(system, acknowledged, stock, deadLetters, expectedDeadLetters: 0, TimeSpan.Zero, cancellationToken);

            Assert.False(damaged.Passed);
            Assert.Equal(1, damaged.Lost);
            Assert.Equal(1, damaged.Incomplete);
            Assert.Equal(3, damaged.Duplicated); // a status, a timeline entry, a SKU's stock
            Assert.Equal(1, damaged.Stuck);
            Assert.Contains(damaged.Findings, finding => finding.Contains($"{lost} missing", StringComparison.Ordinal));
            Assert.Contains(damaged.Findings, finding => finding.Contains($"{orders[1]}: no delivered shipment", StringComparison.Ordinal));
            Assert.Contains(damaged.Findings, finding => finding.Contains($"{orders[2]} Delivered x2", StringComparison.Ordinal));
            Assert.Contains(damaged.Findings, finding => finding.Contains($"{orders[3]} OrderCompleted x2", StringComparison.Ordinal));
            Assert.Contains(damaged.Findings, finding => finding.Contains($"{stock.Skus.First()}: on hand", StringComparison.Ordinal));
        }
        finally
        {
            await ExecuteAsync(system, "support", "DELETE FROM outbox_messages WHERE id = @Id", stuck);
        }
    }

    private static async Task ExecuteAsync<T>(SystemUnderTest system, string database, string sql, T id)
    {
        await using var connection = new NpgsqlConnection(system.Database(database));
        await connection.ExecuteAsync(new CommandDefinition(sql, new { Id = id }, cancellationToken: TestContext.Current.CancellationToken));
    }
}
