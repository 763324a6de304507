using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using EcommerceEda.AppHost;
using EcommerceEda.LoadTests.Target;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Fulfillment;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;

namespace EcommerceEda.Tests.EndToEnd;

[Collection(typeof(EndToEnd))]
public sealed class AppHostTests(AppHostFixture app) : IClassFixture<AppHostFixture>
{
    [Fact]
    public async Task Every_service_reports_healthy_with_its_database_and_the_broker()
    {
        foreach (var service in LocalAppHost.Services)
        {
            using var client = app.App.CreateHttpClient(service, "http"); // anonymous
            var health = await client.GetStringAsync("/health", TestContext.Current.CancellationToken);
            Assert.Equal("Healthy", health);
        }
    }

    [Fact]
    public async Task An_order_placed_through_the_api_is_delivered_by_the_simulators_and_shows_in_Supports_timeline()
    {
        using var orders = app.CreateHttpClient("orders", Roles.Customer, "customer-1");
        using var warehouse = app.CreateHttpClient("warehouse", Roles.Warehouse);
        using var support = app.CreateHttpClient("support", Roles.Operator);
        var sku = $"SKU-{Guid.NewGuid():N}";
        (await warehouse.PutAsJsonAsync($"/api/stock/{sku}", new { onHand = 5 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var placed = await orders.PlaceOrderAsync(Requests.Order(sku, quantity: 2), Requests.NewKey(), app.SigningKey);

        Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["orderId"]!.GetValue<Guid>();
        // The simulated courier delivers at once: OrderDelivered may reach the saga before OrderShipped, which then
        // comes as late news into the history.
        var order = await Eventually.Until(
            async () => (await orders.GetFromJsonAsync<JsonObject>($"/api/orders/{orderId}", TestContext.Current.CancellationToken))!,
            o => o["status"]!.GetValue<string>() == "Delivered" && o.HistoryStatuses().Contains("Shipped"),
            TimeSpan.FromSeconds(60));
        Assert.Equal(
            ["Placed", "StockReserved", "Picked", "Shipped", "Delivered"],
            order.HistoryStatuses());
        var times = order["history"]!.AsArray().Select(h => h!["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.Order(), times);
        var stock = await warehouse.GetFromJsonAsync<JsonObject>($"/api/stock/{sku}", TestContext.Current.CancellationToken);
        Assert.Equal(3, stock!["onHand"]!.GetValue<int>());
        var timeline = await Eventually.Until(
            async () => await support.GetFromJsonAsync<JsonObject>($"/api/orders/{orderId}/timeline", TestContext.Current.CancellationToken),
            t => t!["events"]!.AsArray().Any(e => e!["type"]!.GetValue<string>() == "OrderCompleted"));
        Assert.Equal(
            ["OrderPlaced", "StockReserved", "OrderPicked", "OrderShipped", "OrderDelivered", "OrderCompleted"],
            timeline!["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
    }

    [Fact]
    public void The_broker_and_the_database_listen_on_the_loopback_interface_only()
    {
        // Their processes are the ones that name this AppHost's data folder in their command line or environment.
        var listening = LocalSockets.Listening(LocalSockets.ProcessesMentioning(app.DataPath));

        Assert.Contains(listening, endpoint => endpoint.Port == app.App.GetEndpoint("rabbitmq", "tcp").Port);
        Assert.Contains(listening, endpoint => endpoint.Port == app.App.GetEndpoint("postgres", "tcp").Port);
        Assert.All(listening, endpoint => Assert.True(IPAddress.IsLoopback(endpoint.Address), $"{endpoint} is not on the loopback interface"));
    }

    [Fact]
    public async Task RabbitMQ_exposes_its_own_metrics_for_Prometheus()
    {
        using var client = new HttpClient { BaseAddress = app.App.GetEndpoint("rabbitmq", "prometheus") };

        // Per object, so each queue has its own series (aggregated metrics carry no queue label); the node samples
        // its queues every few seconds, and a queue's label can show in other series before this one.
        var metrics = await Eventually.Until(
            () => client.GetStringAsync("/metrics/per-object", TestContext.Current.CancellationToken),
            text => text.Split('\n').Any(IsReadyMessagesOfReserveStock));

        Assert.Contains(metrics.Split('\n'), IsReadyMessagesOfReserveStock);

        static bool IsReadyMessagesOfReserveStock(string line) =>
            line.StartsWith("rabbitmq_queue_messages_ready{", StringComparison.Ordinal)
            && line.Contains("queue=\"warehouse-reserve-stock\"", StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboards_redrive_command_calls_the_services_operations_endpoint()
    {
        var result = await app.App.ResourceCommands.ExecuteCommandAsync(
            "warehouse", OperationsCommands.Redrive, TestContext.Current.CancellationToken);

        Assert.True(result.Success, result.Message);
    }

    [Fact]
    public async Task The_operations_endpoints_take_an_operators_token_signed_with_the_AppHosts_key()
    {
        using var warehouse = app.CreateHttpClient("warehouse", Roles.Operator);

        var queues = await warehouse.GetFromJsonAsync<JsonArray>("/ops/queues", TestContext.Current.CancellationToken);

        Assert.Contains("warehouse-reserve-stock", queues!.Select(q => q!["name"]!.GetValue<string>()));
    }
}
