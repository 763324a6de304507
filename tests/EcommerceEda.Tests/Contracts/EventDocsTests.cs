using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcommerceEda.EventDocs;
using EcommerceEda.Messaging;
using EcommerceEda.Orders.Contracts;

namespace EcommerceEda.Tests.Contracts;

/// <summary>
/// docs/ (the AsyncAPI document, the JSON Schemas, events.md) is what the code generates now, the AsyncAPI parser
/// accepts it, and no published schema was broken.
/// </summary>
public sealed class EventDocsTests
{
    private static readonly SystemModel System = SystemModel.Read();
    private static readonly IReadOnlyDictionary<string, string> Files = DocsGenerator.Generate(System);
    private static readonly string Docs = DocsGenerator.RepositoryDocs();

    [Fact]
    public void The_committed_docs_are_what_the_code_generates()
    {
        var drift = DocsGenerator.Drift(Docs, Files);
        Assert.True(drift.Count == 0, $"docs/ is out of date: run {DocsGenerator.Command}{Environment.NewLine}{string.Join(Environment.NewLine, drift)}");
    }

    [Fact]
    public void No_published_schema_has_a_breaking_change()
    {
        var breaking = DocsGenerator.BreakingChanges(Docs, Files);
        Assert.True(breaking.Count == 0, $"A breaking change is a new version (docs/events.md#versioning):{Environment.NewLine}{string.Join(Environment.NewLine, breaking)}");
    }

    [Fact]
    public void The_generator_refuses_to_replace_a_published_schema_with_a_breaking_one()
    {
        var docs = Directory.CreateTempSubdirectory("event-docs-").FullName;
        try
        {
            // Published with a field the contract no longer has: as if OrderPlaced had lost it in code.
            var path = "schemas/orders/order-placed.v1.json";
            var published = JsonNode.Parse(Files[path])!;
            published["properties"]!["giftWrap"] = new JsonObject { ["type"] = "boolean" };
            Directory.CreateDirectory(Path.Combine(docs, "schemas", "orders"));
            File.WriteAllText(Path.Combine(docs, path), published.ToJsonString());

            Assert.Equal([$"{path}: giftWrap: removed (or renamed)"], DocsGenerator.BreakingChanges(docs, Files));
        }
        finally
        {
            Directory.Delete(docs, recursive: true);
        }
    }

    [Fact]
    public async Task The_AsyncAPI_parser_accepts_the_document()
    {
        var (exitCode, output) = await ValidateAsync(Path.Combine(Docs, "asyncapi.json"));
        Assert.True(exitCode == 0, output);
        Assert.Contains("valid AsyncAPI 3.0.0", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_AsyncAPI_parser_refuses_a_broken_document()
    {
        var document = JsonNode.Parse(Files["asyncapi.json"])!;
        document["operations"]!["orders.sends.orders.order-placed.v1"]!["channel"] = new JsonObject { ["$ref"] = "#/channels/nowhere" };
        var file = Path.Combine(Path.GetTempPath(), $"asyncapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document.ToJsonString(), TestContext.Current.CancellationToken);
        try
        {
            var (exitCode, output) = await ValidateAsync(file);
            Assert.True(exitCode == 1, output);
            Assert.Contains("nowhere", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void The_model_is_read_from_the_services_registrations()
    {
        var orderPlaced = System.Messages.Single(m => m.Type == typeof(OrderPlaced));
        Assert.Equal(("orders", MessageKind.Event, 1, true), (orderPlaced.Owner, orderPlaced.Kind, orderPlaced.Version, orderPlaced.IsPublic));
        Assert.Equal(["orders"], System.Producers(orderPlaced).Select(s => s.Name));
        var consumers = System.Consumers(orderPlaced).ToDictionary(c => c.Queue.Queue, c => c.Queue);
        Assert.Equal(["orders-fulfillment", "support-priority-follow-up"], consumers.Keys.Order());
        Assert.NotNull(consumers["support-priority-follow-up"].Pattern);
        Assert.Equal("orders-fulfillment_error", consumers["orders-fulfillment"].DeadLetterQueue);
        Assert.Equal(["support-timeline"], System.StreamReaders.Select(r => r.Reader.Reader));

        var saga = Assert.Single(System.Services.Single(s => s.Name == "orders").Sagas);
        Assert.Contains(new SagaTransition("Reserved", "PickDeadlinePassed", "Cancelled"), saga.Transitions);
        Assert.Contains(new SagaTransition("Initial", "OrderPlaced", "Placed"), saga.Transitions);

        var reserveStock = System.Messages.Single(m => m.Name == "reserve-stock");
        Assert.Equal((MessageKind.Command, "warehouse"), (reserveStock.Kind, reserveStock.Owner));
        Assert.Equal(["warehouse-reserve-stock"], System.Consumers(reserveStock).Select(c => c.Queue.Queue));
    }

    [Fact]
    public void Every_example_reads_back_as_its_contract()
    {
        foreach (var message in System.Messages)
        {
            var example = MessageSchemas.Example(message);
            var contract = example.Deserialize(message.Type, MessageJson.Options);
            Assert.Equal(example.ToJsonString(), JsonSerializer.SerializeToNode(contract, message.Type, MessageJson.Options)!.ToJsonString());
        }
    }

    // The AsyncAPI parser, from tools/asyncapi (eng/test.sh installs it).
    private static async Task<(int ExitCode, string Output)> ValidateAsync(string document)
    {
        var tool = Path.Combine(Docs, "..", "tools", "asyncapi");
        Assert.True(Directory.Exists(Path.Combine(tool, "node_modules")), $"The AsyncAPI parser is not installed: npm ci --prefix {Path.GetFullPath(tool)}");
        var start = new ProcessStartInfo("node", ["validate.mjs", document])
        {
            WorkingDirectory = tool,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
