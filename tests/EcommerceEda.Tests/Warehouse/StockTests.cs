using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Tests.Infrastructure;

namespace EcommerceEda.Tests.Warehouse;

/// <summary>PUT and GET /api/stock/{sku} against the real Warehouse database.</summary>
public sealed class StockTests(TestSystem system) : IClassFixture<TestSystem>
{
    private readonly HttpClient _warehouse = system.Warehouse.CreateClient().As(Roles.Warehouse);

    [Fact]
    public async Task Sets_and_reads_the_stock_of_a_sku()
    {
        var sku = $"SKU-{Guid.NewGuid():N}";

        var put = await _warehouse.PutAsJsonAsync($"/api/stock/{sku}", new { onHand = 7 }, TestContext.Current.CancellationToken);
        var stock = await _warehouse.GetFromJsonAsync<JsonObject>($"/api/stock/{sku}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(7, stock!["onHand"]!.GetValue<int>());
        Assert.Equal(0, stock["reserved"]!.GetValue<int>());
        Assert.Equal(7, stock["available"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("{}", "onHand")]
    [InlineData("{\"onHand\":-1}", "onHand")]
    [InlineData("{\"onHand\":1000001}", "onHand")]
    public async Task An_invalid_count_is_a_400_validation_problem_and_changes_nothing(string json, string field)
    {
        var sku = $"SKU-{Guid.NewGuid():N}";

        var response = await _warehouse.PutAsync(
            $"/api/stock/{sku}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal([field], problem!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(HttpStatusCode.NotFound, (await _warehouse.GetAsync($"/api/stock/{sku}", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task A_malformed_sku_is_a_400_validation_problem()
    {
        var response = await _warehouse.PutAsJsonAsync("/api/stock/not%20a%20sku", new { onHand = 1 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_sku_is_404()
    {
        var response = await _warehouse.GetAsync($"/api/stock/SKU-{Guid.NewGuid():N}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
