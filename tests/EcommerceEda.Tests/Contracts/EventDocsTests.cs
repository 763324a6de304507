using System.Text.Json;
using System.Text.Json.Nodes;
using EcommerceEda.EventDocs;
using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Sagas;
using EcommerceEda.Orders.Contracts;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.Contracts;

/// <summary>
/// docs/ (the AsyncAPI document, the JSON Schemas, events.md) is what the code generates now, the AsyncAPI parser
/// accepts it, and no published schema was broken.
/// </summary>
public sealed class EventDocsTests
{
    private static readonly SystemModel Model = SystemModel.Read();
    private static readonly IReadOnlyDictionary<string, string> Files = DocsGenerator.Generate(Model);
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
    public void The_generator_refuses_to_replace_a_published_schema_with_a_breaking_one_and_writes_nothing()
    {
        // Published with a field the contract no longer has: as if OrderPlaced had lost it in code.
        var published = JsonNode.Parse(Files[OrderPlacedSchema])!;
        published["properties"]!["giftWrap"] = new JsonObject { ["type"] = "boolean" };
        using var docs = new TemporaryDocs((OrderPlacedSchema, published.ToJsonString()));

        var (exitCode, _, error) = Generate("--docs", docs.Path);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{OrderPlacedSchema}: giftWrap: removed (or renamed)", error, StringComparison.Ordinal);
        Assert.Equal([OrderPlacedSchema], docs.Files());
        Assert.Equal(published.ToJsonString(), File.ReadAllText(Path.Combine(docs.Path, OrderPlacedSchema)));
    }

    [Fact]
    public void A_published_version_without_a_contract_is_kept_until_it_is_retired()
    {
        const string retired = "schemas/orders/order-placed.v0.json";
        using var docs = new TemporaryDocs((retired, Files[OrderPlacedSchema]));

        var (refused, _, error) = Generate("--docs", docs.Path);
        Assert.Equal(1, refused);
        Assert.Contains($"{retired}: published, but no contract has its URN any more", error, StringComparison.Ordinal);
        Assert.Equal([retired], docs.Files());

        var (written, output, _) = Generate("--docs", docs.Path, "--retire", "orders:order-placed:v0");
        Assert.Equal(0, written);
        Assert.Contains($"retired {retired}", output, StringComparison.Ordinal);
        Assert.DoesNotContain(retired, docs.Files());
        Assert.Equal(Files.Keys.Order(StringComparer.Ordinal), docs.Files());
    }

    [Fact]
    public void The_generator_refuses_an_unknown_option() =>
        Assert.Equal(2, Generate("--chek").ExitCode);

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
        var orderPlaced = Model.Messages.Single(m => m.Type == typeof(OrderPlaced));
        Assert.Equal(("orders", MessageKind.Event, 1, true), (orderPlaced.Owner, orderPlaced.Kind, orderPlaced.Version, orderPlaced.IsPublic));
        Assert.Equal(["orders"], Model.Producers(orderPlaced).Select(s => s.Name));
        var consumers = Model.Consumers(orderPlaced).ToDictionary(c => c.Queue.Queue, c => c.Queue);
        Assert.Equal(["orders-fulfillment", "support-priority-follow-up"], consumers.Keys.Order());
        Assert.NotNull(consumers["support-priority-follow-up"].Pattern);
        Assert.Equal("orders-fulfillment_error", consumers["orders-fulfillment"].DeadLetterQueue);
        Assert.Equal(["support-timeline"], Model.StreamReaders.Select(r => r.Reader.Reader));

        var saga = Assert.Single(Model.Services.Single(s => s.Name == "orders").Sagas);
        Assert.Contains(new SagaTransition("Reserved", "PickDeadlinePassed", "urn:message:orders:pick-deadline-passed:v1", "Cancelled"), saga.Transitions);
        Assert.Contains(new SagaTransition("Initial", "OrderPlaced", "urn:message:orders:order-placed:v1", "Placed"), saga.Transitions);

        var reserveStock = Model.Messages.Single(m => m.Name == "reserve-stock");
        Assert.Equal((MessageKind.Command, "warehouse"), (reserveStock.Kind, reserveStock.Owner));
        Assert.Equal(["warehouse-reserve-stock"], Model.Consumers(reserveStock).Select(c => c.Queue.Queue));
    }

    [Fact]
    public void Every_example_reads_back_as_its_contract()
    {
        foreach (var message in Model.Messages)
        {
            var example = MessageSchemas.Example(message);
            var contract = example.Deserialize(message.Type, MessageJson.Options);
            Assert.Equal(example.ToJsonString(), JsonSerializer.SerializeToNode(contract, message.Type, MessageJson.Options)!.ToJsonString());
        }
    }

    private const string OrderPlacedSchema = "schemas/orders/order-placed.v1.json";

    private static (int ExitCode, string Output, string Error) Generate(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = DocsCommand.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    // The AsyncAPI parser, from tools/asyncapi (eng/test.sh installs it).
    private static async Task<(int ExitCode, string Output)> ValidateAsync(string document)
    {
        var tool = Path.Combine(Docs, "..", "tools", "asyncapi");
        Assert.True(Directory.Exists(Path.Combine(tool, "node_modules")), $"The AsyncAPI parser is not installed: npm ci --prefix {Path.GetFullPath(tool)}");
        return await ChildProcess.RunAsync("node", ["validate.mjs", document], tool);
    }

    /// <summary>A docs folder of its own, outside the repository, holding some files to start with.</summary>
    private sealed class TemporaryDocs : IDisposable
    {
        public TemporaryDocs(params (string File, string Content)[] files)
        {
            foreach (var (file, content) in files)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.Combine(Path, file))!);
                File.WriteAllText(System.IO.Path.Combine(Path, file), content);
            }
        }

        public string Path { get; } = Directory.CreateTempSubdirectory("event-docs-").FullName;

        public IEnumerable<string> Files() => Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories)
            .Select(file => System.IO.Path.GetRelativePath(Path, file).Replace('\\', '/')).Order(StringComparer.Ordinal);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
