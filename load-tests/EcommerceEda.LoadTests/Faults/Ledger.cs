using System.Text.Json.Nodes;
using Dapper;
using EcommerceEda.LoadTests.Load;
using EcommerceEda.LoadTests.Reports;
using EcommerceEda.LoadTests.Target;
using Npgsql;

namespace EcommerceEda.LoadTests.Faults;

/// <summary>
/// What a fault scenario left behind, once the system went quiet: every order of the load and every effect it
/// should have had, counted in the services' own databases and the broker.
/// </summary>
/// <param name="Orders">Orders of the load in the Orders database (accepted ones, and any whose answer was lost).</param>
/// <param name="Lost">Accepted orders missing from the database or not in a terminal state.</param>
/// <param name="Incomplete">Terminal orders an effect is missing for (a shipment, a timeline entry, stock moved).</param>
/// <param name="Duplicated">Effects applied more than once (a status, a timeline entry, stock moved twice).</param>
/// <param name="Stuck">Outbox messages not sent though due or already tried, in the four databases.</param>
/// <param name="Queued">Messages left on the work queues.</param>
/// <param name="DeadLettered">Messages that reached a dead-letter queue during the scenario.</param>
/// <param name="ExpectedDeadLetters">Poison messages the scenario injected: they, and only they, belong in a dead-letter queue.</param>
/// <param name="Findings">What each non-zero count is made of, for the report.</param>
public sealed record LedgerReport(
    int Orders,
    int Lost,
    int Incomplete,
    int Duplicated,
    long Stuck,
    long Queued,
    long DeadLettered,
    long ExpectedDeadLetters,
    IReadOnlyList<string> Findings)
{
    /// <summary>What the fault's own checks found wrong (a crash that did not happen, a timer that did not fire).</summary>
    public IReadOnlyList<string> FaultProblems { get; init; } = [];

    /// <summary>Nothing lost, nothing applied twice, nothing stuck, and the dead-letter queues hold just the poison.</summary>
    public bool Passed => Thresholds().All(threshold => threshold.Passed);

    /// <summary>The ledger's criteria; each fails the run.</summary>
    public IEnumerable<Threshold> Thresholds()
    {
        yield return new Threshold("accepted orders lost (not ended)", "0", $"{Lost}", Lost == 0, Correctness: true);
        yield return new Threshold("effects missing for ended orders", "0", $"{Incomplete}", Incomplete == 0, Correctness: true);
        yield return new Threshold("effects applied twice", "0", $"{Duplicated}", Duplicated == 0, Correctness: true);
        yield return new Threshold("outbox messages stuck", "0", $"{Stuck}", Stuck == 0, Correctness: true);
        yield return new Threshold("messages left on work queues", "0", $"{Queued}", Queued == 0, Correctness: true);
        yield return new Threshold(
            "messages dead-lettered", $"{ExpectedDeadLetters}", $"{DeadLettered}", DeadLettered == ExpectedDeadLetters, Correctness: true);
        yield return new Threshold("the fault's own checks failed", "0", $"{FaultProblems.Count}", FaultProblems.Count == 0, Correctness: true);
    }
}

/// <summary>Checks a load's ledger against the system: see <see cref="LedgerReport"/>.</summary>
public static class Ledger
{
    private static readonly TimeSpan QuietPoll = TimeSpan.FromSeconds(6); // the broker refreshes its statistics every 5 s

    /// <summary>Messages in every dead-letter queue now: a scenario reads it before and after.</summary>
    public static async Task<long> DeadLettersAsync(SystemUnderTest system, CancellationToken cancellationToken) =>
        (await QueuesAsync(system, cancellationToken)).Where(q => q.DeadLetter).Sum(q => q.Messages);

    /// <summary>
    /// Waits until nothing is left to send or to consume (or <paramref name="quietTimeout"/> passed), then checks
    /// every order of <paramref name="load"/> and its effects.
    /// </summary>
    public static async Task<LedgerReport> CheckAsync(
        SystemUnderTest system,
        LoadResult load,
        Stock stock,
        long deadLettersBefore,
        long expectedDeadLetters,
        TimeSpan quietTimeout,
        CancellationToken cancellationToken)
    {
        var (stuck, queues) = await WaitForQuietAsync(system, quietTimeout, cancellationToken);
        var queued = queues.Sum(q => q.Messages);
        var findings = new List<string>();
        var orders = await ReadOrdersAsync(system, load.Customer, cancellationToken);
        var ids = orders.Keys.ToArray();

        var accepted = load.Orders.Where(o => o.OrderId is not null).Select(o => o.OrderId!.Value).ToList();
        var lost = accepted.Where(id => !orders.TryGetValue(id, out var order) || !OrderLoad.IsTerminal(order.Status)).ToList();
        var unanswered = orders.Keys.Except(accepted).Where(id => !OrderLoad.IsTerminal(orders[id].Status)).ToList();
        Note(findings, lost.Count, "accepted orders not ended", lost.Select(id => $"{id} {(orders.TryGetValue(id, out var o) ? o.Status : "missing")}"));
        Note(findings, unanswered.Count, "orders stored without an answer to the client, not ended", unanswered.Select(id => $"{id} {orders[id].Status}"));

        var duplicated = new List<string>();
        duplicated.AddRange(await ListAsync(system, "orders", """
            SELECT h.order_id || ' ' || h.status || ' x' || count(*) FROM order_history h
            WHERE h.order_id = ANY(@Ids) GROUP BY h.order_id, h.status HAVING count(*) > 1
            """, ids, cancellationToken));
        duplicated.AddRange(await ListAsync(system, "support", """
            SELECT order_id || ' ' || event_type || ' x' || count(*) FROM timeline_entries
            WHERE order_id = ANY(@Ids) GROUP BY order_id, event_type HAVING count(*) > 1
            """, ids, cancellationToken));
        Note(findings, duplicated.Count, "effects applied twice (a status, a timeline entry)", duplicated);

        var incomplete = new List<string>();
        var delivered = orders.Where(o => o.Value.Status == "Delivered").Select(o => o.Key).ToArray();
        incomplete.AddRange(await ListAsync(system, "delivery", """
            SELECT o.id || ': no delivered shipment' FROM unnest(@Ids) AS o(id)
            WHERE NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id AND s.status = 'Delivered')
            """, delivered, cancellationToken));
        incomplete.AddRange(await ListAsync(system, "support", """
            SELECT o.id || ': no ' || e.type || ' on the timeline'
            FROM unnest(@Ids) AS o(id) CROSS JOIN (VALUES ('OrderPlaced'), ('OrderCompleted')) AS e(type)
            WHERE NOT EXISTS (SELECT 1 FROM timeline_entries t WHERE t.order_id = o.id AND t.event_type = e.type)
            """, delivered, cancellationToken));
        Note(findings, incomplete.Count, "effects missing for ended orders", incomplete);

        // Stock: what each order's status says it took, no more. Picked units left the shelves; reserved ones wait.
        var taken = Taken(orders.Values, "Picked", "Shipped", "Delivered", "ReturnRequested");
        var reserved = Taken(orders.Values, "StockReserved");
        var stockErrors = (await ReadStockAsync(system, stock, cancellationToken))
            .Select(s => (Row: s, OnHand: Stock.OnHand - taken.GetValueOrDefault(s.Sku), Reserved: reserved.GetValueOrDefault(s.Sku)))
            .Where(s => s.Row.OnHand != s.OnHand || s.Row.Reserved != s.Reserved)
            .Select(s => $"{s.Row.Sku}: on hand {s.Row.OnHand}, expected {s.OnHand}; reserved {s.Row.Reserved}, expected {s.Reserved}")
            .ToList();
        Note(findings, stockErrors.Count, "SKUs whose stock moved other than the orders' statuses say", stockErrors);

        var deadLettered = await DeadLettersAsync(system, cancellationToken) - deadLettersBefore;
        Note(findings, stuck > 0 ? 1 : 0, $"{stuck} outbox messages not sent though due or already tried", []);
        Note(findings, queues.Count, "work queues not empty", queues.Select(q => $"{q.Name} {q.Messages}"));
        Note(findings, deadLettered != expectedDeadLetters ? 1 : 0, $"{deadLettered} messages dead-lettered, {expectedDeadLetters} expected", []);
        return new LedgerReport(
            orders.Count, lost.Count + unanswered.Count, incomplete.Count, duplicated.Count + stockErrors.Count, stuck, queued, deadLettered, expectedDeadLetters, findings);
    }

    private static Dictionary<string, int> Taken(IEnumerable<StoredOrder> orders, params string[] statuses) => orders
        .Where(o => statuses.Contains(o.Status)).SelectMany(o => o.Lines)
        .GroupBy(l => l.Sku).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));

    private static void Note(List<string> findings, int count, string what, IEnumerable<string> examples)
    {
        if (count > 0)
        {
            var shown = examples.Take(5).ToList();
            findings.Add(shown.Count == 0 ? what : $"{count} {what}: {string.Join("; ", shown)}{(count > shown.Count ? "; ..." : "")}");
        }
    }

    // Quiet: no outbox message left to send, no message on a work queue, twice in a row. A message the relay tried
    // and failed to publish counts even while it waits for its next attempt: it is stuck. So does one still in its
    // dispatch lease (Messaging:Relay:DispatchLease, 5 s; not due yet, but about to be published), unlike a timer set
    // for later.
    private static async Task<(long Stuck, List<Queue> Queued)> WaitForQuietAsync(
        SystemUnderTest system, TimeSpan quietTimeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + quietTimeout;
        var quietReads = 0;
        while (true)
        {
            var stuck = 0L;
            foreach (var database in SystemUnderTest.Databases)
            {
                stuck += await ScalarAsync(
                    system, database, "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL AND (not_before <= now() OR not_before - created_at <= interval '10 seconds' OR attempts > 0)", cancellationToken);
            }

            var queued = (await QueuesAsync(system, cancellationToken)).Where(q => !q.DeadLetter && q.Messages > 0).ToList();
            quietReads = stuck == 0 && queued.Count == 0 ? quietReads + 1 : 0;
            if (quietReads == 2 || DateTimeOffset.UtcNow > deadline)
            {
                return (stuck, queued);
            }

            await Task.Delay(QuietPoll, cancellationToken);
        }
    }

    private sealed record Line(string Sku, int Quantity);

    private sealed record StoredOrder(string Status, IReadOnlyList<Line> Lines);

    private sealed record StockRow(string Sku, int OnHand, int Reserved);

    private static async Task<Dictionary<Guid, StoredOrder>> ReadOrdersAsync(SystemUnderTest system, string customer, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(system.Database("orders"));
        var rows = await connection.QueryAsync<(Guid OrderId, string Status, string Lines)>(new CommandDefinition(
            "SELECT order_id, status, lines::text FROM orders WHERE customer_id = @Customer", new { Customer = customer }, cancellationToken: cancellationToken));
        return rows.ToDictionary(row => row.OrderId, row => new StoredOrder(row.Status, [.. JsonNode.Parse(row.Lines)!.AsArray()
            .Select(line => new Line(line!["sku"]!.GetValue<string>(), line["quantity"]!.GetValue<int>()))]));
    }

    private static async Task<List<StockRow>> ReadStockAsync(SystemUnderTest system, Stock stock, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(system.Database("warehouse"));
        return [.. await connection.QueryAsync<StockRow>(new CommandDefinition(
            "SELECT sku, on_hand AS OnHand, reserved FROM stock WHERE sku = ANY(@Skus)", new { Skus = stock.Skus.ToArray() }, cancellationToken: cancellationToken))];
    }

    private static async Task<List<string>> ListAsync(SystemUnderTest system, string database, string sql, Guid[] ids, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(system.Database(database));
        return [.. await connection.QueryAsync<string>(new CommandDefinition(sql, new { Ids = ids }, cancellationToken: cancellationToken))];
    }

    private static async Task<long> ScalarAsync(SystemUnderTest system, string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(system.Database(database));
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }

    private sealed record Queue(string Name, long Messages)
    {
        public bool DeadLetter => Name.EndsWith("_error", StringComparison.Ordinal);
    }

    // The work queues and their dead-letter queues; the event stream keeps every event by design.
    private static async Task<List<Queue>> QueuesAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        var queues = await system.QueuesAsync("name,type,messages", cancellationToken);
        return [.. queues.OfType<JsonNode>()
            .Where(queue => queue["type"]?.GetValue<string>() != "stream")
            .Select(queue => new Queue(queue["name"]!.GetValue<string>(), queue["messages"]?.GetValue<long>() ?? 0))];
    }
}
