using Dapper;
using EcommerceEda.LoadTests.Reports;
using EcommerceEda.LoadTests.Target;
using Npgsql;

namespace EcommerceEda.LoadTests.Load;

/// <summary>
/// One hop of the flow, every message of one kind from one service's outbox to one consumer's inbox, timed by the
/// rows the outbox and the inbox keep: from the outbox row's <c>created_at</c> (the start of the transaction that
/// wrote it) to the inbox row's <c>received_at</c> (the start of the consumer's): the rest of the writer's
/// transaction, its commit, the publish, the broker's delivery and the consumer taking it up. The rest of an order's
/// placed → delivered is the work inside each transaction and the steps of the simulated picker and courier.
/// </summary>
/// <param name="Message">The message's URN.</param>
/// <param name="From">The service whose outbox held it.</param>
/// <param name="To">The service and consumer that took it.</param>
/// <param name="Latency">From the writer's transaction start to the consumer's.</param>
public sealed record HopReport(string Message, string From, string To, LatencySummary Latency)
{
    // Every message of the flow names its order: the hops are put in the order's order by it.
    private const string OutboxSql = """
        SELECT id AS Id, message_type AS MessageType, created_at AS CreatedAt, (body ->> 'orderId')::uuid AS OrderId
        FROM outbox_messages WHERE created_at >= @Since
        """;

    // The orders the load placed, for its own customer: messages written meanwhile for other orders (a lead-in's last,
    // another client's) are not its hops.
    private const string PlacedSql = "SELECT order_id FROM orders WHERE customer_id = @Customer";

    private const string InboxSql = """
        SELECT consumer AS Consumer, message_id AS MessageId, received_at AS ReceivedAt
        FROM inbox_messages WHERE received_at >= @Since
        """;

    // Messages may still be on their way when the orders have ended (an OrderShipped can reach the saga after the
    // OrderDelivered that ended its order): the hops are read until a second passes without one more taken.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    private const int MaxReads = 10;

    /// <summary>
    /// Every hop of the messages of the orders <paramref name="load"/> placed, written since it started, in the order an
    /// order takes them.
    /// </summary>
    public static async Task<IReadOnlyList<HopReport>> ReadAsync(SystemUnderTest system, LoadReport load, CancellationToken cancellationToken)
    {
        HashSet<Guid> placed;
        await using (var orders = new NpgsqlConnection(system.Database("orders")))
        {
            placed = [.. await orders.QueryAsync<Guid>(new CommandDefinition(PlacedSql, new { load.Customer }, cancellationToken: cancellationToken))];
        }

        var hops = await ReadOnceAsync(system, load.Started, placed, cancellationToken);
        for (var read = 1; read < MaxReads; read++)
        {
            await Task.Delay(Settle, cancellationToken);
            var again = await ReadOnceAsync(system, load.Started, placed, cancellationToken);
            if (Taken(again) == Taken(hops))
            {
                break;
            }

            hops = again;
        }

        return hops;

        static long Taken(IReadOnlyList<HopReport> hops) => hops.Sum(hop => hop.Latency.Count);
    }

    private static async Task<IReadOnlyList<HopReport>> ReadOnceAsync(
        SystemUnderTest system, DateTimeOffset since, HashSet<Guid> placed, CancellationToken cancellationToken)
    {
        var written = new List<(string Service, OutboxRow Row)>();
        var taken = new List<(string Service, InboxRow Row)>();
        var parameters = new { Since = since.UtcDateTime };
        foreach (var service in SystemUnderTest.Databases)
        {
            await using var connection = new NpgsqlConnection(system.Database(service));
            written.AddRange((await connection.QueryAsync<OutboxRow>(new CommandDefinition(OutboxSql, parameters, cancellationToken: cancellationToken)))
                .Select(row => (service, row)));
            taken.AddRange((await connection.QueryAsync<InboxRow>(new CommandDefinition(InboxSql, parameters, cancellationToken: cancellationToken)))
                .Select(row => (service, row)));
        }

        written.RemoveAll(w => w.Row.OrderId is { } order && !placed.Contains(order));

        // A hop's place in the flow: how long after its order's first message its messages were written (the median).
        var orderStarts = written.Where(w => w.Row.OrderId is not null)
            .GroupBy(w => w.Row.OrderId!.Value)
            .ToDictionary(order => order.Key, order => order.Min(w => w.Row.CreatedAt));
        return [.. written
            .Join(taken, writer => writer.Row.Id, consumer => consumer.Row.MessageId, (writer, consumer) => (Writer: writer, Consumer: consumer))
            .GroupBy(hop => (hop.Writer.Row.MessageType, hop.Writer.Service, To: $"{hop.Consumer.Service}: {hop.Consumer.Row.Consumer}"))
            .Select(hop => (
                Place: LatencySummary.Of(hop.Select(h => SinceOrderStart(h.Writer.Row)).OfType<double>()) is { Count: > 0 } place
                    ? place.P50
                    : double.MaxValue,
                Report: new HopReport(
                    hop.Key.MessageType,
                    hop.Key.Service,
                    hop.Key.To,
                    LatencySummary.Of(hop.Select(h => (h.Consumer.Row.ReceivedAt - h.Writer.Row.CreatedAt).TotalMilliseconds)))))
            .OrderBy(hop => hop.Place)
            .ThenBy(hop => hop.Report.Message, StringComparer.Ordinal)
            .Select(hop => hop.Report)];

        double? SinceOrderStart(OutboxRow row) =>
            row.OrderId is { } order ? (row.CreatedAt - orderStarts[order]).TotalMilliseconds : null;
    }

    private sealed record OutboxRow(Guid Id, string MessageType, DateTime CreatedAt, Guid? OrderId);

    private sealed record InboxRow(string Consumer, Guid MessageId, DateTime ReceivedAt);
}
