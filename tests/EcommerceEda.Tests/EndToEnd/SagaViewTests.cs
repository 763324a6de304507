using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Fulfillment;
using EcommerceEda.Tests.Infrastructure;
using EcommerceEda.Tests.Orders;
using Microsoft.Playwright;

namespace EcommerceEda.Tests.EndToEnd;

/// <summary>
/// The saga view in headless Chromium, on the system the AppHost runs: the state machine drawn from the code, one
/// order's path through it with the time in each state and the messages, and the picture following the order live.
/// </summary>
[Collection(typeof(EndToEnd))]
public sealed class SagaViewTests(AppHostFixture app) : IClassFixture<AppHostFixture>
{
    // The states a delivered order may not have entered: Shipped only when its OrderDelivered overtook its OrderShipped.
    private static readonly string[] OffPath = ["Shipped", "Cancelled", "Returning", "Refunded"];

    // The page's fills (view.css): a state the order went through, the one it is in, one it never entered.
    private static readonly int[] Visited = [0xda, 0xfb, 0xe1];
    private static readonly int[] Current = [0xdd, 0xf4, 0xff];
    private static readonly int[] Untouched = [0xff, 0xff, 0xff];

    [Fact]
    public async Task The_view_draws_the_state_machine_and_follows_one_order_live_through_it()
    {
        var orderId = await DeliveredOrderAsync();
        await using var browser = await HeadlessBrowser.LaunchAsync();
        var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Text} ({message.Location})");
            }
        };

        await page.GotoAsync(new Uri(app.App.GetEndpoint("orders", "http"), $"/fulfillment?order={orderId}").ToString());
        await page.Locator(".node[data-state='Refunded']").WaitForAsync(); // the graph needs no token
        await page.FillAsync("#token", TestTokens.For(Roles.Operator, "e2e", app.SigningKey));
        await page.ClickAsync("button[type=submit]");
        await page.Locator("body[data-state='Delivered']").WaitForAsync();

        // Every state and transition of the machine is drawn; the order's path is marked, with the time in each state.
        // The path is the one the saga journal holds: Shipped is skipped when the courier's OrderDelivered reached the
        // saga before the OrderShipped sent just ahead of it (the simulators run at zero delay), and the view must show that.
        using var orders = app.CreateHttpClient("orders", Roles.Operator);
        var graph = await orders.GetFromJsonAsync<JsonObject>("/api/fulfillment/graph", TestContext.Current.CancellationToken);
        Assert.Equal(graph!["states"]!.AsArray().Count, await page.Locator(".node").CountAsync());
        Assert.Equal(graph["transitions"]!.AsArray().Count, await page.Locator(".edge text").CountAsync());
        var steps = (await orders.GetFromJsonAsync<JsonObject>($"/api/orders/{orderId}/execution", TestContext.Current.CancellationToken))!["steps"]!.AsArray();
        var changes = steps.Select(step => (From: step!["from"]!.GetValue<string>(), To: step["to"]!.GetValue<string>())).Where(step => step.From != step.To).ToList();
        var path = changes.Select(change => change.To).ToList();
        Assert.Equal(["Placed", "Reserved", "Picked"], path.Take(3));
        Assert.Equal("Delivered", path[^1]);
        foreach (var state in path.SkipLast(1))
        {
            Assert.Matches(@"^\d+\.\d+ s$", await page.Locator($".node[data-state='{state}'] .time").TextContentAsync());
        }

        Assert.Equal(changes.Select(change => $"{change.From}→{change.To}"), await TakenAsync(page));
        Assert.StartsWith("now, for", await page.Locator(".node[data-state='Delivered'] .time").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(
            steps.Select(step => step!["message"]!.GetValue<string>()),
            await page.Locator("#history tbody tr td:nth-child(3)").AllTextContentsAsync());
        Assert.Matches("PickDeadlinePassed \\(timer, due .+\\) — cancelled at step 3", await page.Locator("#history tbody tr[data-step='2'] td.sent").TextContentAsync());
        Assert.Contains(
            "cancelled PickDeadlinePassed (the timer of step 2)",
            (await page.Locator("#history tbody tr[data-step='3'] td.sent").TextContentAsync())!,
            StringComparison.Ordinal);

        // What the screen shows: the pixels of each state are the colour of where the order went.
        var screenshot = await page.Locator("#graph").ScreenshotAsync(new() { Path = ScreenshotPath("saga-view-delivered.png") });
        var visited = path.SkipLast(1).Prepend("Initial").ToList();
        var untouched = OffPath.Except(visited).ToList();
        var states = visited.Append("Delivered").Concat(untouched).ToList();
        var pixels = await browser.PixelsAsync(screenshot, await InsidePointsAsync(page, states));
        var expected = visited.Select(_ => Visited).Append(Current).Concat(untouched.Select(_ => Untouched)).ToList();
        Assert.All(states.Zip(pixels, expected), sample => AssertColor(sample.Third, sample.Second, sample.First));

        // Live: the customer returns the order; the open page follows it to Refunded without being reloaded.
        await page.EvaluateAsync("window.sameDocument = true");
        var returnId = await RequestReturnAsync(orderId);
        await page.Locator("body[data-state='Returning']").WaitForAsync();
        using (var warehouse = app.CreateHttpClient("support", Roles.Warehouse))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await warehouse.PostAsync($"/api/returns/{returnId}/receive", null, TestContext.Current.CancellationToken)).StatusCode);
        }

        await page.Locator("body[data-state='Refunded']").WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("window.sameDocument === true"));
        Assert.Equal(["Delivered→Returning", "Returning→Refunded"], (await TakenAsync(page)).TakeLast(2));
        Assert.Equal("done", await page.Locator(".node[data-state='Refunded'] .time").TextContentAsync()); // a state it never leaves
        await page.Locator("#graph").ScreenshotAsync(new() { Path = ScreenshotPath("saga-view-refunded.png") });
        Assert.Empty(errors);
    }

    private async Task<Guid> DeliveredOrderAsync()
    {
        using var warehouse = app.CreateHttpClient("warehouse", Roles.Warehouse);
        var sku = $"SKU-{Guid.NewGuid():N}";
        (await warehouse.PutAsJsonAsync($"/api/stock/{sku}", new { onHand = 5 }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        using var orders = app.CreateHttpClient("orders", Roles.Customer, "customer-1");
        var placed = await orders.PlaceOrderAsync(Requests.Order(sku, quantity: 1), Requests.NewKey(), app.SigningKey);
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["orderId"]!.GetValue<Guid>();

        // Delivered, and its OrderShipped taken too (it may reach the saga after OrderDelivered): the journal is complete.
        await Eventually.Until(
            async () => (await orders.GetFromJsonAsync<JsonObject>($"/api/orders/{orderId}", TestContext.Current.CancellationToken))!,
            order => order["status"]!.GetValue<string>() == "Delivered" && order.HistoryStatuses().Contains("Shipped"),
            TimeSpan.FromSeconds(60));
        return orderId;
    }

    // Support learns of the delivery from the event stream: until then the order is not returnable.
    private async Task<Guid> RequestReturnAsync(Guid orderId)
    {
        using var support = app.CreateHttpClient("support", Roles.Customer, "customer-1");
        var key = Requests.NewKey();
        var requested = await Eventually.Until(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/returns") { Content = JsonContent.Create(new { orderId, reason = "too small" }) };
                request.Headers.Add("Idempotency-Key", key);
                return await support.SendAsync(request, TestContext.Current.CancellationToken);
            },
            response => response.StatusCode == HttpStatusCode.Accepted);
        return (await requested.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["returnId"]!.GetValue<Guid>();
    }

    private static async Task<IReadOnlyList<string>> TakenAsync(IPage page) =>
        await page.Locator(".edge.taken").EvaluateAllAsync<string[]>("edges => edges.map(edge => edge.dataset.edge)");

    // A point inside each state's box, left of its centred name, relative to the graph's top left corner.
    private static async Task<IEnumerable<(int X, int Y)>> InsidePointsAsync(IPage page, IEnumerable<string> states)
    {
        var graph = (await page.Locator("#graph").BoundingBoxAsync())!;
        var points = new List<(int X, int Y)>();
        foreach (var state in states)
        {
            var box = (await page.Locator($".node[data-state='{state}'] rect").BoundingBoxAsync())!;
            points.Add(((int)(box.X - graph.X + 12), (int)(box.Y - graph.Y + (box.Height / 2))));
        }

        return points;
    }

    private static void AssertColor(int[] expected, int[] actual, string state) =>
        Assert.True(
            expected.Zip(actual).All(channel => Math.Abs(channel.First - channel.Second) <= 6),
            $"{state} is drawn rgb({string.Join(", ", actual)}), not rgb({string.Join(", ", expected)}).");

    private static string ScreenshotPath(string name) =>
        Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots", name);
}
