using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.LoadTests.Target;
using EcommerceEda.ServiceDefaults.Security;
using Npgsql;

namespace EcommerceEda.LoadTests.Load;

/// <summary>One order the load placed: when it was due, when the API answered, and what.</summary>
/// <param name="Due">When it was due, on the run's clock.</param>
/// <param name="Answered">When <c>POST /api/orders</c> answered (or failed).</param>
/// <param name="StatusCode">The HTTP status, 0 when the request failed.</param>
/// <param name="OrderId">The order, when accepted.</param>
public sealed record PlacedOrder(TimeSpan Due, TimeSpan Answered, int StatusCode, Guid? OrderId)
{
    /// <summary>Latency of the call as the customer saw it, from when it was due.</summary>
    public double HttpMs => (Answered - Due).TotalMilliseconds;
}

/// <summary>How an order ended, from its history in the Orders database.</summary>
/// <param name="Status">Its status when read.</param>
/// <param name="Placed">Its Placed timestamp, on the run's clock.</param>
/// <param name="Ended">Its last status change, on the run's clock.</param>
public sealed record OrderOutcome(string Status, TimeSpan Placed, TimeSpan Ended)
{
    /// <summary>Placed → delivered, in milliseconds.</summary>
    public double EndToEndMs => (Ended - Placed).TotalMilliseconds;
}

/// <summary>What a load sees each second: the console shows it live.</summary>
/// <param name="Phase">What is going on (placing, draining, ...).</param>
/// <param name="Elapsed">Since the load started.</param>
/// <param name="Rate">Orders per second asked for.</param>
/// <param name="Sent">Orders sent so far.</param>
/// <param name="Accepted">Answered 202.</param>
/// <param name="Failed">Answered otherwise or not at all.</param>
/// <param name="Ended">Accepted orders that reached Delivered, Cancelled or Refunded.</param>
public sealed record LoadSample(string Phase, TimeSpan Elapsed, double Rate, long Sent, long Accepted, long Failed, long Ended)
{
    /// <summary>Accepted and not ended yet: the system's backlog.</summary>
    public long InFlight => Accepted - Ended;
}

/// <summary>Everything one load measured.</summary>
/// <param name="Customer">The customer the load placed its orders for (its own).</param>
/// <param name="Started">When the load started (second 0 of its timeline), to match it with the servers' logs.</param>
/// <param name="Rate">Orders per second asked for.</param>
/// <param name="Duration">How long orders were placed.</param>
/// <param name="Orders">Every order placed.</param>
/// <param name="Outcomes">How each accepted order ended, by id.</param>
/// <param name="Samples">What the console showed, second by second.</param>
public sealed record LoadResult(
    string Customer,
    DateTimeOffset Started,
    double Rate, TimeSpan Duration, IReadOnlyList<PlacedOrder> Orders, IReadOnlyDictionary<Guid, OrderOutcome> Outcomes, IReadOnlyList<LoadSample> Samples)
{
    /// <summary>Orders the API accepted.</summary>
    public int Accepted => Orders.Count(o => o.OrderId is not null);

    /// <summary>Accepted orders that were delivered.</summary>
    public int Delivered => Outcomes.Values.Count(o => o.Status == "Delivered");

    /// <summary>Accepted orders that did not end within the completion timeout.</summary>
    public int Unfinished => Accepted - Outcomes.Values.Count(o => OrderLoad.IsTerminal(o.Status));

    /// <summary>
    /// The first moment from <paramref name="from"/> on, in steps of 100 ms, when no more than <paramref name="limit"/>
    /// orders were in flight: from when each was due and when it ended, so it does not depend on when the console sampled.
    /// </summary>
    public TimeSpan? BacklogDownTo(double limit, TimeSpan from)
    {
        var due = Orders.Where(o => o.OrderId is not null).Select(o => o.Due).Order().ToList();
        var ended = Outcomes.Values.Where(o => OrderLoad.IsTerminal(o.Status)).Select(o => o.Ended).Order().ToList();
        var last = ended.Count == 0 ? from : ended[^1];
        for (var at = from; ; at += TimeSpan.FromMilliseconds(100))
        {
            if (CountUpTo(due, at) - CountUpTo(ended, at) <= limit)
            {
                return at;
            }

            if (at >= last)
            {
                return null; // nothing ends later: the backlog stays where it is
            }
        }
    }

    private static int CountUpTo(List<TimeSpan> sorted, TimeSpan at)
    {
        var index = sorted.BinarySearch(at);
        return index >= 0 ? index + 1 : ~index;
    }
}

/// <summary>
/// Places orders on the Orders API at a fixed rate for one customer of its own, follows them to their end in
/// the Orders database, and reads when each was placed and when it ended.
/// </summary>
public sealed class OrderLoad(SystemUnderTest system, Stock stock, Action<LoadSample> progress)
{
    private static readonly string[] TerminalStatuses = ["Delivered", "Cancelled", "Refunded"];

    /// <summary>Whether an order in <paramref name="status"/> has ended.</summary>
    public static bool IsTerminal(string status) => TerminalStatuses.Contains(status);

    /// <summary>
    /// Places <paramref name="rate"/> orders a second for <paramref name="duration"/> while <paramref name="during"/>
    /// runs beside the load (it is given the run's clock), then waits up to <paramref name="completionTimeout"/>
    /// for every accepted order to end (at zero, not at all: the outcomes are those so far).
    /// </summary>
    public async Task<LoadResult> RunAsync(
        double rate,
        TimeSpan duration,
        TimeSpan completionTimeout,
        Func<Stopwatch, CancellationToken, Task>? during,
        CancellationToken cancellationToken)
    {
        var customer = $"load-{Guid.NewGuid():N}";
        var customerToken = system.Bearer(Roles.Customer, customer);
        var orders = new ConcurrentQueue<PlacedOrder>();
        var samples = new List<LoadSample>();
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        var phase = "placing";
        var failed = 0L;
        var ended = 0L;

        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = SampleAsync(sampling.Token);
        try
        {
            await Task.WhenAll(
                OpenModel.RunAsync(rate, duration, clock, due => PlaceAsync(due), cancellationToken),
                during?.Invoke(clock, cancellationToken) ?? Task.CompletedTask);

            phase = "completing";
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(completionTimeout);
            while (completionTimeout > TimeSpan.Zero && !deadline.IsCancellationRequested && (await CountEndedAsync(customer, cancellationToken) ?? 0) < orders.Count(o => o.OrderId is not null))
            {
                await Task.Delay(200, CancellationToken.None);
            }
        }
        finally
        {
            await sampling.CancelAsync(); // whether the load ended or failed, its progress ends with it
            await sampler;
        }

        var outcomes = await ReadOutcomesAsync(customer, startedAt, cancellationToken);
        return new LoadResult(customer, startedAt, rate, duration, [.. orders.OrderBy(o => o.Due)], outcomes, samples);

        async Task PlaceAsync(TimeSpan due)
        {
            var order = new JsonObject
            {
                ["customerId"] = customer,
                ["currency"] = "AUD",
                ["lines"] = new JsonArray(new JsonObject { ["sku"] = stock.Pick(), ["quantity"] = 1, ["unitPrice"] = 9.95m }),
                ["shippingAddress"] = new JsonObject { ["line1"] = "1 George St", ["city"] = "Sydney", ["postalCode"] = "2000", ["country"] = "AU" },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(order) };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            request.Headers.Authorization = customerToken;
            try
            {
                using var response = await system.Orders.SendAsync(request, cancellationToken);
                var orderId = response.IsSuccessStatusCode
                    ? (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))?["orderId"]?.GetValue<Guid>()
                    : null;
                orders.Enqueue(new PlacedOrder(due, clock.Elapsed, (int)response.StatusCode, orderId));
                if (orderId is null)
                {
                    Interlocked.Increment(ref failed);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                orders.Enqueue(new PlacedOrder(due, clock.Elapsed, 0, null));
                Interlocked.Increment(ref failed);
            }
        }

        async Task SampleAsync(CancellationToken stop)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            await using var stopping = stop.Register(timer.Dispose); // a disposed timer ends the wait for its tick at once
            while (await timer.WaitForNextTickAsync(CancellationToken.None))
            {
                var sent = orders.Count;
                ended = await CountEndedAsync(customer, CancellationToken.None) ?? ended; // the last count while the database is down
                var sample = new LoadSample(phase, clock.Elapsed, rate, sent, sent - Interlocked.Read(ref failed), Interlocked.Read(ref failed), ended);
                samples.Add(sample);
                progress(sample);
            }
        }
    }

    // Null while the database cannot be reached: a fault scenario may have stopped it.
    private async Task<long?> CountEndedAsync(string customer, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(system.Database("orders"));
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM orders WHERE customer_id = @customer AND status = ANY(@terminal)", connection);
            command.Parameters.AddWithValue("customer", customer);
            command.Parameters.AddWithValue("terminal", TerminalStatuses);
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    private async Task<Dictionary<Guid, OrderOutcome>> ReadOutcomesAsync(
        string customer, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(system.Database("orders"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT o.order_id, o.status, o.placed_at, max(h.at)
            FROM orders o JOIN order_history h ON h.order_id = o.order_id
            WHERE o.customer_id = @customer
            GROUP BY o.order_id, o.status, o.placed_at
            """, connection);
        command.Parameters.AddWithValue("customer", customer);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var outcomes = new Dictionary<Guid, OrderOutcome>();
        while (await reader.ReadAsync(cancellationToken))
        {
            outcomes[reader.GetGuid(0)] = new OrderOutcome(
                reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(2) - startedAt,
                reader.GetFieldValue<DateTimeOffset>(3) - startedAt);
        }

        return outcomes;
    }
}

/// <summary>SKUs with plenty on hand, so that load orders are delivered rather than cancelled.</summary>
public sealed class Stock
{
    /// <summary>Units of each SKU on hand to begin with.</summary>
    public const int OnHand = 1_000_000;

    private const int Count = 50;
    private readonly string _prefix = $"LOAD-{Guid.NewGuid():N}"[..13];

    /// <summary>The SKUs of this stock.</summary>
    public IEnumerable<string> Skus => Enumerable.Range(0, Count).Select(Sku);

    /// <summary>A SKU of this stock, at random.</summary>
    public string Pick() => Sku(Random.Shared.Next(Count));

    /// <summary>Puts <see cref="OnHand"/> units of each SKU on hand in Warehouse.</summary>
    public async Task FillAsync(SystemUnderTest system, CancellationToken cancellationToken)
    {
        foreach (var sku in Skus)
        {
            using var response = await system.Warehouse.PutAsJsonAsync($"/api/stock/{sku}", new { onHand = OnHand }, cancellationToken);
            response.EnsureSuccessStatusCode();
        }
    }

    private string Sku(int index) => string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{index}");
}
