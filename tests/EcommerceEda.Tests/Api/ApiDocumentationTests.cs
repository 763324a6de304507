using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EcommerceEda.EventDocs;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.Api;

/// <summary>A system with the fault-injection endpoints mapped, so its documents list every operation there is.</summary>
public sealed class FaultsEnabledSystem(TestInfrastructure infrastructure) : TestSystem(infrastructure)
{
    protected override IReadOnlyDictionary<string, string?> SettingOverrides =>
        new Dictionary<string, string?> { ["Messaging:Faults:Enabled"] = "true" };
}

/// <summary>
/// Each service's OpenAPI document describes its security, its errors and its bodies with examples; Scalar draws it
/// in development; and the <c>.http</c> files call only operations the documents list, with a token, and call them all.
/// </summary>
public sealed partial class ApiDocumentationTests(FaultsEnabledSystem system) : IClassFixture<FaultsEnabledSystem>
{
    private static readonly Dictionary<string, string> HttpFiles = new()
    {
        ["orders"] = "services/Orders/Orders.http",
        ["warehouse"] = "services/Warehouse/Warehouse.http",
        ["delivery"] = "services/Delivery/Delivery.http",
        ["support"] = "services/Support/Support.http",
    };

    private const string OperationsHttpFile = "building-blocks/Messaging/Operations/Operations.http";

    public static TheoryData<string> Services => [.. HttpFiles.Keys];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Every_operation_names_its_roles_and_errors_as_problem_details(string service)
    {
        var document = await DocumentAsync(service);

        Assert.Equal("http", document["components"]!["securitySchemes"]!["Bearer"]!["type"]!.GetValue<string>());
        Assert.All(Operations(document), operation =>
        {
            var responses = operation.Body["responses"]!.AsObject();
            Assert.True(operation.Body["security"]?.AsArray().Count == 1, $"{operation}: no security requirement");
            Assert.Contains("Roles: ", operation.Body["description"]?.GetValue<string>() ?? "");
            Assert.All(["401", "403", "503"], code => Assert.True(responses.ContainsKey(code), $"{operation}: no {code}"));
            Assert.All(
                responses.Where(response => response.Key is not "404" && int.Parse(response.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400),
                response => Assert.True(
                    response.Value!["content"]?["application/problem+json"] is not null, $"{operation} {response.Key}: not problem details"));
            if (operation.Body["requestBody"] is { } body)
            {
                Assert.True(responses.ContainsKey("400") && responses.ContainsKey("413"), $"{operation}: a body but no 400 or 413");
                var schema = Resolve(document, body["content"]!["application/json"]!["schema"]!);
                Assert.True(schema["examples"]?.AsArray().Count > 0, $"{operation}: its body has no example");
            }
        });
    }

    [Fact]
    public async Task Placing_an_order_documents_each_answer_it_can_give()
    {
        var place = Assert.Single(Operations(await DocumentAsync("orders")), o => o.Method == "post" && o.Path == "/api/orders");

        Assert.Equal(
            ["202", "400", "401", "403", "413", "422", "429", "503"],
            place.Body["responses"]!.AsObject().Select(response => response.Key).Order());
        Assert.Equal("Roles: customer.", place.Body["description"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Scalar_draws_the_document_in_development(string service)
    {
        using var client = system.AnonymousClient(service);

        var page = await client.GetAsync(new Uri("/scalar/v1", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var scripts = ScriptSource().Matches(html).Select(match => match.Groups["src"].Value).ToList();
        Assert.NotEmpty(scripts);
        await Assert.AllAsync(scripts, async script =>
        {
            // The page's own script is served too, without a token: the browser asks for it anonymously.
            using var asset = await client.GetAsync(new Uri(new Uri("http://localhost/scalar/v1"), script), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        });
    }

    [Fact]
    public async Task The_http_files_call_every_documented_operation_and_only_those_each_with_a_token()
    {
        var documents = new Dictionary<string, List<Operation>>();
        foreach (var service in HttpFiles.Keys)
        {
            documents[service] = [.. Operations(await DocumentAsync(service))];
        }

        var requests = HttpFiles.SelectMany(file => HttpRequests(file.Value, file.Key)).Concat(HttpRequests(OperationsHttpFile, service: null)).ToList();
        var called = new HashSet<string>(StringComparer.Ordinal);
        Assert.All(requests, request =>
        {
            if (request.Path is "/health" or "/alive")
            {
                return;
            }

            IEnumerable<string> services = request.Service is { } one ? [one] : HttpFiles.Keys;
            var matches = services.SelectMany(service => documents[service]
                    .Where(operation => operation.Method == request.Method && operation.Matches(request.Path))
                    .Select(operation => (service, operation)))
                .ToList();
            Assert.True(matches.Count > 0, $"{request}: no such operation in the documents");
            Assert.True(request.HasToken || request.Shows401, $"{request}: no Authorization header");
            called.UnionWith(matches.Select(match => match.operation.ToString()));
        });
        // /ops is the building block's, the same on every service: calling it on one covers it.
        Assert.Empty(documents.Values.SelectMany(operations => operations).Select(operation => operation.ToString()).Distinct().Except(called));
    }

    private async Task<JsonObject> DocumentAsync(string service)
    {
        using var client = system.AnonymousClient(service);
        return (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", TestContext.Current.CancellationToken))!;
    }

    private static IEnumerable<Operation> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(entry => entry.Key is "get" or "post" or "put" or "delete" or "patch")
            .Select(entry => new Operation(entry.Key, path.Key.TrimEnd('/'), entry.Value!.AsObject())));

    /// <summary>The schema a reference names; of an optional body (<c>oneOf: [null, $ref]</c>), the one that is not null.</summary>
    private static JsonNode Resolve(JsonObject document, JsonNode schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference ? document["components"]!["schemas"]![reference.Split('/')[^1]]!
        : schema["oneOf"]?.AsArray().FirstOrDefault(option => option!["$ref"] is not null) is { } referenced ? Resolve(document, referenced)
        : schema;

    /// <summary>The requests of a .http file; <paramref name="service"/> null: each names its service by its variable or port.</summary>
    private static IEnumerable<HttpRequest> HttpRequests(string file, string? service)
    {
        var lines = File.ReadAllLines(Path.Combine(DocsGenerator.Repository(), file));
        var title = "";
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("###", StringComparison.Ordinal))
            {
                title = lines[i];
            }

            if (RequestLine().Match(lines[i]) is not { Success: true } request)
            {
                continue;
            }

            var headers = lines.Skip(i + 1).TakeWhile(line => line.Length > 0 && !line.StartsWith('#'));
            var target = service ?? request.Groups["port"].Value switch
            {
                "5101" => "orders",
                "5102" => "warehouse",
                "5103" => "delivery",
                "5104" => "support",
                _ => null, // {{service}}: any of them
            };
            yield return new HttpRequest(
                $"{file}:{i + 1}",
                target,
                request.Groups["method"].Value.ToLowerInvariant(),
                request.Groups["path"].Value.Split('?')[0].TrimEnd('/'),
                headers.Any(header => header.StartsWith("Authorization: Bearer ", StringComparison.Ordinal)),
                title.Contains("→ 401", StringComparison.Ordinal));
        }
    }

    [GeneratedRegex(@"<script[^>]* src=""(?<src>[^""]+)""")]
    private static partial Regex ScriptSource();

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|DELETE|PATCH) (\{\{\w+\}\}|http://localhost:(?<port>\d+))(?<path>/\S*)")]
    private static partial Regex RequestLine();

    /// <summary>A request of a .http file; <paramref name="Shows401"/>: its title says it goes without a token on purpose.</summary>
    private sealed record HttpRequest(string Where, string? Service, string Method, string Path, bool HasToken, bool Shows401)
    {
        public override string ToString() => $"{Where} {Method.ToUpperInvariant()} {Path}";
    }

    private sealed record Operation(string Method, string Path, JsonObject Body)
    {
        /// <summary>Whether a request path fits this operation's template: a <c>{parameter}</c> takes any one segment.</summary>
        public bool Matches(string requestPath) =>
            Regex.IsMatch(requestPath, "^" + Regex.Replace(Regex.Escape(Path), @"\\\{[^/]+?\}", "[^/]+") + "$");

        public override string ToString() => $"{Method.ToUpperInvariant()} {Path}";
    }
}
