using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using EcommerceEda.LoadTests.Target;
using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Tracing;
using EcommerceEda.Tests.Fulfillment;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace EcommerceEda.Tests.Observability;

/// <summary>A system whose pick timer fires a few seconds after the pick is handed out, unless the pick comes first.</summary>
public sealed class TracedSystem(TestInfrastructure infrastructure) : TestSystem(infrastructure)
{
    protected override IReadOnlyDictionary<string, string?> SettingOverrides =>
        new Dictionary<string, string?> { ["Orders:Fulfillment:PickTimeout"] = "00:00:08" };
}

/// <summary>
/// One trace per order, from the customer's request to delivery: through every outbox, the broker, each consumer,
/// the saga, its durable timer, the people's callbacks and the event stream.
/// </summary>
public sealed class OrderTraceTests(TracedSystem system) : IClassFixture<TracedSystem>
{
    private static readonly string[] Callbacks = ["pick completed", "delivery reported"];

    [Fact]
    public async Task Every_span_of_one_order_shares_the_trace_of_the_request_that_placed_it()
    {
        using var spans = new SpanRecorder();
        var trace = ActivityTraceId.CreateRandom();
        var orderId = await PlaceInTraceAsync(trace);
        // The picker and the courier call later, each in a trace of their own.
        Assert.Equal(HttpStatusCode.Accepted, await system.CompletePickAsync(await system.PendingPickAsync(orderId)));
        var shipment = await system.ShipmentAsync(orderId);
        Assert.Equal(HttpStatusCode.Accepted, await system.ReportDeliveryAsync(shipment["shipmentId"]!.GetValue<Guid>()));
        await system.WaitForStatusAsync(orderId, "Delivered");

        // Every message of the order, in every service's outbox (the pick timer's is gone: the pick came in time).
        var messages = await Eventually.Until(() => MessagesAsync(orderId), all => all.Count > 0 && all.All(m => m.Sent));
        Assert.DoesNotContain(messages, m => m.MessageType == PickTimeoutTests.DeadlineType);
        Assert.All(messages, message => Assert.Equal(trace, ActivityContext.Parse(message.TraceParent!, null).TraceId));
        await PublishedAndTakenInAsync(trace, messages, spans);
        var delivered = Assert.Single(messages, m => m.MessageType == "urn:message:delivery:order-delivered:v1");
        Assert.Contains(spans.Of(delivered.Id), span => span.Source.Name == MessagingMetrics.Name && span.OperationName.StartsWith("stream ", StringComparison.Ordinal));

        // The request that placed it, and the callbacks that resumed it (each linked to its own request's trace).
        Assert.Contains(spans.InTrace(trace), span => span.Kind == ActivityKind.Server && span.DisplayName.TrimEnd('/') == "POST /api/orders");
        Assert.All(
            Callbacks,
            name => Assert.Contains(spans.InTrace(trace), span =>
                span.OperationName == name && span.Links.Any(link => link.Context.TraceId != trace)));
    }

    [Fact]
    public async Task A_pick_timer_fires_in_the_trace_of_the_request_that_placed_its_order()
    {
        using var spans = new SpanRecorder();
        var trace = ActivityTraceId.CreateRandom();

        var orderId = await PlaceInTraceAsync(trace); // and nobody picks it

        await system.WaitForStatusAsync(orderId, "Cancelled");
        var timer = Assert.Single(
            await Eventually.Until(() => MessagesAsync(orderId), all => all.Any(m => m.MessageType == PickTimeoutTests.DeadlineType && m.Sent)),
            m => m.MessageType == PickTimeoutTests.DeadlineType);
        Assert.Equal(trace, ActivityContext.Parse(timer.TraceParent!, null).TraceId);
        await PublishedAndTakenInAsync(trace, [timer], spans);
    }

    private async Task<Guid> PlaceInTraceAsync(ActivityTraceId trace)
    {
        var sku = await system.StockAsync(onHand: 10);
        using var customer = system.Orders.CreateClient();
        customer.DefaultRequestHeaders.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        var placed = await customer.PlaceOrderAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        return (await placed.Content.ReadFromJsonAsync<OrderAccepted>(TestContext.Current.CancellationToken))!.OrderId;
    }

    // Each message was published by a relay and taken by a consumer (a service's, the saga's or the stream's) in the trace.
    private static async Task PublishedAndTakenInAsync(ActivityTraceId trace, IReadOnlyList<OrderMessage> messages, SpanRecorder spans)
    {
        await Eventually.Until(
            () => Task.FromResult(messages.Where(m => !spans.Of(m.Id).Any(IsOutboxPublish) || !spans.Of(m.Id).Any(IsConsumer)).ToList()),
            missing => missing.Count == 0);
        Assert.All(messages, message => Assert.All(spans.Of(message.Id), span => Assert.Equal(trace, span.TraceId)));
    }

    private static bool IsOutboxPublish(Activity span) => span.OperationName.StartsWith("outbox publish ", StringComparison.Ordinal);

    private static bool IsConsumer(Activity span) => span.Kind == ActivityKind.Consumer;

    private async Task<List<OrderMessage>> MessagesAsync(Guid orderId)
    {
        var messages = new List<OrderMessage>();
        foreach (var service in LocalAppHost.Services)
        {
            await using var connection = new NpgsqlConnection(system.Database(service));
            messages.AddRange(await connection.QueryAsync<OrderMessage>(
                """
                SELECT id AS Id, message_type AS MessageType, trace_parent AS TraceParent, sent_at IS NOT NULL AS Sent
                FROM outbox_messages WHERE body->>'orderId' = @OrderId
                """,
                new { OrderId = orderId.ToString() }));
        }

        return messages;
    }

    private sealed record OrderMessage(Guid Id, string MessageType, string? TraceParent, bool Sent);

    private sealed record OrderAccepted(Guid OrderId);

    /// <summary>The spans the services in this process end: ASP.NET Core's, MassTransit's and the building block's.</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _ended = new();
        private readonly ActivityListener _listener;

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or TelemetrySources.MassTransit or MessagingMetrics.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _ended.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IEnumerable<Activity> InTrace(ActivityTraceId trace) => _ended.Where(span => span.TraceId == trace);

        /// <summary>The spans that name <paramref name="messageId"/> as their message.</summary>
        public IEnumerable<Activity> Of(Guid messageId) =>
            _ended.Where(span => span.GetTagItem(FlowTrace.MessageIdTag) is { } id && id.ToString() == messageId.ToString());

        public void Dispose() => _listener.Dispose();
    }
}
