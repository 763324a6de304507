using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using EcommerceEda.LoadTests.Target;
using Npgsql;
using static System.FormattableString;

namespace EcommerceEda.LoadTests.Faults;

/// <summary>
/// Faults no outside kill can aim: crashes at a chosen line of code, duplicated and reordered deliveries (the
/// services' <c>/ops/faults</c>, which the harness's AppHost opens), and bad data for some SKUs (triggers the
/// harness adds to a service's database, as a faulty deployment would behave, and removes again).
/// </summary>
public static class InjectedFaults
{
    /// <summary>The pick SLA the fault suite's AppHost sets: long enough for every other fault's outage.</summary>
    public static readonly TimeSpan PickTimeout = TimeSpan.FromSeconds(60);

    private const string ReserveStockQueue = "warehouse-reserve-stock";
    private static readonly TimeSpan CrashTimeout = TimeSpan.FromSeconds(120); // a full run has seen 55 s on this machine
    private static readonly TimeSpan ArmAttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary><paramref name="service"/> kills itself the next time it reaches <paramref name="point"/>, and is started again after <paramref name="outage"/>.</summary>
    public static Fault Crash(string service, string point, string description, TimeSpan outage) => new(
        $"crash-{point}",
        description,
        async (target, token) =>
        {
            var armedAt = DateTimeOffset.UtcNow;
            var exited = target.Control.WaitForExitAsync(service, CrashTimeout, token);
            var (attempts, answered) = await ArmAsync(target, service, point, exited, token);
            try
            {
                await exited;
            }
            catch (InvalidOperationException exception) when (!token.IsCancellationRequested)
            {
                throw new InvalidOperationException(
                    $"{service} {(answered ? "was armed" : "never answered a request to arm it")} at {point} ({attempts} attempt(s)) and did not crash within {CrashTimeout}.", exception);
            }

            target.Observations.Add(Invariant(
                $"{service} died at {point}; the orchestrator showed it exited {(DateTimeOffset.UtcNow - armedAt).TotalSeconds:0.0} s after it was armed ({attempts} attempt(s) to arm it)"));
        },
        (target, token) => target.Control.StartAsync(service, token),
        outage);

    /// <summary>
    /// Asks <paramref name="service"/> to crash at <paramref name="point"/>, again while no answer comes within
    /// <see cref="ArmAttemptTimeout"/> and it has not died (<paramref name="exited"/>): a busy service may reach the point
    /// and die before its answer is out, and a request through the orchestrator's proxy has been seen to hang. Arming
    /// twice changes nothing. Each request expires with its attempt, so that one held up on its way (the proxy holds
    /// it while the service restarts) does not arm the next process. Returns the attempts it took, and whether the
    /// service answered one.
    /// </summary>
    private static async Task<(int Attempts, bool Answered)> ArmAsync(FaultTarget target, string service, string point, Task exited, CancellationToken cancellationToken)
    {
        using var ops = target.Control.Operations(service);
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ArmAttemptTimeout);
            var expires = Uri.EscapeDataString((DateTimeOffset.UtcNow + ArmAttemptTimeout).ToString("O", CultureInfo.InvariantCulture));
            var answer = ops.PostAsync($"/ops/faults/crash/{point}?expires={expires}", content: null, timeout.Token);
            if (await Task.WhenAny(answer, exited) == exited)
            {
                await timeout.CancelAsync(); // the request may still be on its way: it must not arm the next process
                return (attempt, false);
            }

            try
            {
                using var armed = await answer;
                armed.EnsureSuccessStatusCode();
                return (attempt, true);
            }
            catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException { StatusCode: null }
                && !cancellationToken.IsCancellationRequested)
            {
                // no answer in time, or the connection broke: ask again (or see it died meanwhile)
            }
        }
    }

    /// <summary>For <paramref name="outage"/>, every service's outbox repeats 10% of its publishes and holds back another 10%.</summary>
    public static Fault DisturbedDeliveries(TimeSpan outage) => new(
        "duplicate-reorder",
        "every outbox publishes 10% of its messages twice (the copy about a second later) and holds back another 10% behind later ones",
        (target, token) => DisturbAsync(target, 0.1, token),
        (target, token) => DisturbAsync(target, 0, token),
        outage);

    /// <summary>
    /// Reservations of a tenth of the SKUs fail for <paramref name="outage"/> (a trigger that raises), so those
    /// <c>ReserveStock</c> commands exhaust their retries and are dead-lettered; then the cause is removed and
    /// the dead letters are redriven. Only poisoned commands may be in the dead-letter queue, and each
    /// redriven order must end once.
    /// </summary>
    public static Fault PoisonThenRedrive(TimeSpan outage)
    {
        var poison = new SkuTrigger("fault_poison", "reservations", "RAISE EXCEPTION 'fault injection: reservations of this SKU are poisoned';");
        return new(
            "poison-redrive",
            "ReserveStock fails for a tenth of the SKUs until its retries run out (dead-lettered); then the cause is fixed and the dead letters redriven",
            async (target, token) =>
            {
                await ExecuteAsync(target, "warehouse", poison.Create(Affected(target)), token);

                // At a low rate a few seconds may bring no order for those SKUs: the outage starts once one did.
                await WaitForHitAsync(target, poison, token);
            },
            async (target, token) =>
            {
                await ExecuteAsync(target, "warehouse", poison.Drop, token);
                await RedriveAsync(target, token);
            },
            outage);
    }

    /// <summary>
    /// Picks of a tenth of the SKUs are put off a day (the simulated worker never comes), so their orders wait on the
    /// pick timer; Orders is killed while the timers are pending and started again after <paramref name="outage"/>.
    /// Each held order must be cancelled for its pick timeout, once, and some of those timers must have been
    /// pending across the restart.
    /// </summary>
    public static Fault TimeoutAcrossRestart(TimeSpan outage)
    {
        var hold = new SkuTrigger("fault_hold_picks", "pick_tasks", "NEW.created_at := NEW.created_at + interval '1 day';");
        var killed = DateTimeOffset.MaxValue;
        var restarted = DateTimeOffset.MinValue;
        return new(
            "timeout-across-restart",
            "picks of a tenth of the SKUs never happen; Orders is killed while their pick timers are pending, and each timer must fire once after the restart",
            async (target, token) =>
            {
                await ExecuteAsync(target, "warehouse", hold.Create(Affected(target)), token);
                await WaitForHeldPicksAsync(target, token);
                killed = DateTimeOffset.UtcNow;
                await target.Control.StopAsync("orders", StopMode.Kill, token);
            },
            async (target, token) =>
            {
                await target.Control.StartAsync("orders", token);
                restarted = DateTimeOffset.UtcNow;
                await ExecuteAsync(target, "warehouse", hold.Drop, token);
            },
            outage)
        {
            VerifyAsync = (target, token) => VerifyTimeoutsAsync(target, killed, restarted, token),
        };
    }

    // A tenth of the load's SKUs: with one line per order, about a tenth of the orders.
    private static IEnumerable<string> Affected(FaultTarget target) => target.Stock.Skus.Take(5);

    private static async Task DisturbAsync(FaultTarget target, double rate, CancellationToken cancellationToken)
    {
        foreach (var service in LocalAppHost.Services)
        {
            using var ops = target.Control.Operations(service);
            using var response = await ops.PutAsJsonAsync("/ops/faults/deliveries", new { duplicateRate = rate, delayRate = rate }, cancellationToken);
            response.EnsureSuccessStatusCode();
        }
    }

    // Dead-lettering takes the retry policy's few attempts: the queue is settled once two reads a second apart agree.
    private static async Task RedriveAsync(FaultTarget target, CancellationToken cancellationToken)
    {
        using var warehouse = target.Control.Operations("warehouse");
        JsonArray letters = [], previous;
        var reads = 0;
        do
        {
            previous = letters;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            letters = await DeadLettersAsync(warehouse, cancellationToken);
        }
        while (++reads < 3 || letters.Count != previous.Count);

        var poisoned = Affected(target).ToHashSet(StringComparer.Ordinal);
        var strays = letters.Where(letter => letter!["queue"]!.GetValue<string>() != ReserveStockQueue
            || !letter["payload"]!["lines"]!.AsArray().Any(line => poisoned.Contains(line!["sku"]!.GetValue<string>()))).ToList();
        var distinct = letters.Select(letter => letter!["messageId"]!.GetValue<string>()).Distinct().Count();
        Expect(target, letters.Count > 0, "no ReserveStock was dead-lettered: the poison did not take");
        Expect(target, strays.Count == 0, $"{strays.Count} dead letters are not poisoned ReserveStock commands: {string.Join("; ", strays.Take(3))}");
        Expect(target, distinct == letters.Count, $"{letters.Count - distinct} messages are in the dead-letter queue twice");

        using var response = await warehouse.PostAsync($"/ops/dead-letters/{ReserveStockQueue}/redrive", content: null, cancellationToken);
        response.EnsureSuccessStatusCode();
        var redriven = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["redriven"]!.GetValue<int>();
        Expect(target, redriven == letters.Count, $"{letters.Count} dead letters, {redriven} redriven");
        target.Observations.Add(Invariant($"{letters.Count} ReserveStock commands dead-lettered ({strays.Count} not poisoned), {redriven} redriven"));
    }

    private static async Task<JsonArray> DeadLettersAsync(HttpClient ops, CancellationToken cancellationToken) =>
        await ops.GetFromJsonAsync<JsonArray>("/ops/dead-letters?limit=1000", cancellationToken) ?? [];

    private static async Task WaitForHeldPicksAsync(FaultTarget target, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(target.System.Database("warehouse"));
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (await connection.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT count(*) FROM {HeldPicks}", cancellationToken: cancellationToken)) < 3)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException("No pick was held within 20 s: is the load ordering the held SKUs?");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    private static async Task WaitForHitAsync(FaultTarget target, SkuTrigger trigger, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(target.System.Database("warehouse"));
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (await connection.ExecuteScalarAsync<long>(new CommandDefinition(trigger.Hits, cancellationToken: cancellationToken)) == 0)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"No row hit the trigger {trigger.Name} within 60 s: is the load ordering its SKUs?");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    // Picks the hold put off a day.
    private const string HeldPicks = "pick_tasks WHERE created_at > now() + interval '1 hour'";

    private static async Task VerifyTimeoutsAsync(FaultTarget target, DateTimeOffset killed, DateTimeOffset restarted, CancellationToken cancellationToken)
    {
        Guid[] held;
        await using (var warehouse = new NpgsqlConnection(target.System.Database("warehouse")))
        {
            held = [.. await warehouse.QueryAsync<Guid>(new CommandDefinition($"SELECT order_id FROM {HeldPicks}", cancellationToken: cancellationToken))];
        }

        await using var orders = new NpgsqlConnection(target.System.Database("orders"));
        var notTimedOut = (await orders.QueryAsync<string>(new CommandDefinition(
            """
            SELECT o.order_id || ' ' || o.status FROM orders o WHERE o.order_id = ANY(@Held)
            AND NOT (o.status = 'Cancelled' AND EXISTS (
                SELECT 1 FROM order_history h WHERE h.order_id = o.order_id AND h.status = 'Cancelled' AND h.reason = 'PickTimeout'))
            """,
            new { Held = held }, cancellationToken: cancellationToken))).AsList();
        var acrossRestart = await orders.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            SELECT count(*) FROM outbox_messages
            WHERE message_type LIKE '%pick-deadline-passed%' AND (body->>'orderId')::uuid = ANY(@Held)
              AND created_at < @Killed AND sent_at > @Restarted
            """,
            new { Held = held, Killed = killed, Restarted = restarted }, cancellationToken: cancellationToken));
        target.Observations.Add(Invariant(
            $"{held.Length} picks held, {held.Length - notTimedOut.Count} of their orders cancelled for the pick timeout, {acrossRestart} timers pending across the restart"));
        Expect(target, held.Length > 0, "no pick was held: no order waited on its pick timer");
        Expect(target, notTimedOut.Count == 0, $"{notTimedOut.Count} held orders not cancelled for their pick timeout: {string.Join("; ", notTimedOut.Take(5))}");
        Expect(target, acrossRestart > 0, "no pick timer was pending across the restart of Orders");
    }

    private static void Expect(FaultTarget target, bool condition, string problem)
    {
        if (!condition)
        {
            target.Problems.Add(problem);
        }
    }

    private static async Task ExecuteAsync(FaultTarget target, string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(target.System.Database(database));
        await connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// A trigger on a Warehouse table that runs <paramref name="Action"/> on new rows whose lines name one of some SKUs,
    /// counting its hits in a sequence (which, unlike a row, a transaction the action aborts does not roll back).
    /// </summary>
    private sealed record SkuTrigger(string Name, string Table, string Action)
    {
        public string Create(IEnumerable<string> skus) => $"""
            CREATE SEQUENCE {Name}_hits;
            GRANT USAGE ON SEQUENCE {Name}_hits TO PUBLIC; -- the trigger runs as the service's role
            CREATE FUNCTION {Name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM jsonb_array_elements(NEW.lines) AS l WHERE l->>'sku' = ANY (string_to_array('{string.Join(',', skus)}', ','))) THEN
                    PERFORM nextval('{Name}_hits');
                    {Action}
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {Name} BEFORE INSERT ON {Table} FOR EACH ROW EXECUTE FUNCTION {Name}();
            """;

        /// <summary>How many rows the trigger acted on.</summary>
        public string Hits => $"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {Name}_hits";

        public string Drop => $"DROP TRIGGER {Name} ON {Table}; DROP FUNCTION {Name}(); DROP SEQUENCE {Name}_hits;";
    }
}
