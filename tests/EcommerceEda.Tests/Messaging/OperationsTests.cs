using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Npgsql;

namespace EcommerceEda.Tests.Messaging;

/// <summary>/ops: queues, dead letters and redrive, for operators only.</summary>
public sealed class OperationsTests(TestSystem system) : IClassFixture<TestSystem>
{
    private const string Queue = "warehouse-reserve-stock";

    [Theory]
    [InlineData("GET", "/ops/queues", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "/ops/dead-letters", "forged", HttpStatusCode.Unauthorized)]
    [InlineData("POST", "/ops/dead-letters/redrive", Roles.Warehouse, HttpStatusCode.Forbidden)]
    [InlineData("POST", "/ops/dead-letters/warehouse-reserve-stock/redrive", Roles.Customer, HttpStatusCode.Forbidden)]
    public async Task Operations_need_an_operator_token(string method, string path, string? token, HttpStatusCode expected)
    {
        using var warehouse = token switch
        {
            null => system.Warehouse.CreateClient(),
            "forged" => system.Warehouse.CreateClient().As(Roles.Operator, signingKey: Convert.ToBase64String(new byte[32])),
            _ => system.Warehouse.CreateClient().As(token),
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        var response = await warehouse.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Lists_the_services_queues_with_their_dead_letter_queues_and_counts()
    {
        var queues = await system.Warehouse.CreateClient().AsOperator().GetFromJsonAsync<JsonArray>("/ops/queues", TestContext.Current.CancellationToken);

        Assert.Equal(
            ["warehouse-pick-order", "warehouse-release-stock", "warehouse-reserve-stock", "warehouse-return-received"],
            queues!.Select(q => q!["name"]!.GetValue<string>()));
        var queue = queues!.Single(q => q!["name"]!.GetValue<string>() == Queue)!;
        Assert.Equal("quorum", queue["type"]!.GetValue<string>());
        Assert.Equal($"{Queue}_error", queue["deadLetterQueue"]!.GetValue<string>());
        Assert.Equal(5, queue["deliveryLimit"]!.GetValue<int>());
        Assert.NotNull(queue["ready"]);
        Assert.NotNull(queue["unacknowledged"]);
        Assert.NotNull(queue["deadLetters"]);
    }

    [Fact]
    public async Task A_dead_letter_redriven_after_its_cause_is_fixed_is_processed_once()
    {
        using var warehouse = system.Warehouse.CreateClient().AsOperator();
        var sku = await system.StockAsync(onHand: 10);
        await WarehouseSqlAsync("ALTER TABLE reservations RENAME TO reservations_moved"); // a broken deployment
        Guid orderId;
        string messageId;
        try
        {
            orderId = await system.PlaceAsync(Requests.Order(sku, quantity: 3), Requests.NewKey());
            await Eventually.Until(() => system.DeadLetterCountAsync(Queue), count => count == 1);

            var deadLetters = await warehouse.GetFromJsonAsync<JsonArray>("/ops/dead-letters", TestContext.Current.CancellationToken);
            var letter = Assert.Single(deadLetters!);
            Assert.Equal(Queue, letter!["queue"]!.GetValue<string>());
            Assert.Equal("failed", letter["reason"]!.GetValue<string>());
            Assert.Equal(5, letter["attempts"]!.GetValue<int>());
            Assert.Equal("urn:message:warehouse:reserve-stock:v1", letter["messageType"]!.GetValue<string>());
            Assert.Contains("reservations", letter["exception"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(orderId, letter["payload"]!["orderId"]!.GetValue<Guid>());
            messageId = letter["messageId"]!.GetValue<string>();
            Assert.Equal(1, await system.DeadLetterCountAsync(Queue)); // looking did not take it
        }
        finally
        {
            await WarehouseSqlAsync("ALTER TABLE reservations_moved RENAME TO reservations"); // the fix
        }

        var redrive = await warehouse.PostAsync("/ops/dead-letters/warehouse-reserve-stock/redrive", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, redrive.StatusCode);
        Assert.Equal(1, (await redrive.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["redriven"]!.GetValue<int>());
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 3);
        Assert.Equal(0, await system.DeadLetterCountAsync(Queue));
        Assert.Equal(1, await system.ScalarAsync<int>(
            "warehouse", "SELECT count(*) FROM inbox_messages WHERE consumer = @Queue AND message_id = @Id", new { Queue, Id = Guid.Parse(messageId) }));
    }

    [Fact]
    public async Task Redrive_moves_only_the_listed_messages()
    {
        using var warehouse = system.Warehouse.CreateClient().AsOperator();
        var sku = await system.StockAsync(onHand: 10);
        await WarehouseSqlAsync("ALTER TABLE stock RENAME TO stock_moved");
        try
        {
            await system.PlaceAsync(Requests.Order(sku, quantity: 1), Requests.NewKey());
            await system.PlaceAsync(Requests.Order(sku, quantity: 2), Requests.NewKey());
            await Eventually.Until(() => system.DeadLetterCountAsync(Queue), count => count == 2);
        }
        finally
        {
            await WarehouseSqlAsync("ALTER TABLE stock_moved RENAME TO stock");
        }

        var letters = await warehouse.GetFromJsonAsync<JsonArray>("/ops/dead-letters", TestContext.Current.CancellationToken);
        var chosen = letters!.Single(l => l!["payload"]!["lines"]![0]!["quantity"]!.GetValue<int>() == 2)!;
        var redrive = await warehouse.PostAsJsonAsync(
            "/ops/dead-letters/warehouse-reserve-stock/redrive",
            new { messageIds = new[] { chosen["messageId"]!.GetValue<string>() } },
            TestContext.Current.CancellationToken);

        Assert.Equal(1, (await redrive.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["redriven"]!.GetValue<int>());
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 2);
        Assert.Equal(1, await system.DeadLetterCountAsync(Queue));
        await warehouse.PostAsync("/ops/dead-letters/redrive", null, TestContext.Current.CancellationToken);
        await Eventually.Until(() => system.ReservedAsync(sku), reserved => reserved == 3);
        Assert.Equal(0, await system.DeadLetterCountAsync(Queue));
    }

    [Fact]
    public async Task Fault_injection_is_closed_unless_the_service_is_configured_for_it()
    {
        using var orders = system.Orders.CreateClient().AsOperator();

        using var crash = await orders.PostAsync("/ops/faults/crash/relay-after-confirm", null, TestContext.Current.CancellationToken);
        using var deliveries = await orders.PutAsJsonAsync(
            "/ops/faults/deliveries", new { duplicateRate = 1, delayRate = 0 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, crash.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deliveries.StatusCode);
    }

    [Fact]
    public async Task Redriving_a_queue_of_another_service_is_404()
    {
        var response = await system.Warehouse.CreateClient().AsOperator()
            .PostAsync("/ops/dead-letters/support-priority-follow-up/redrive", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }


    private async Task WarehouseSqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(system.Database("warehouse"));
        await connection.ExecuteAsync(sql);
    }
}
