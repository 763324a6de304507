using EcommerceEda.Warehouse.Features.GetStock;
using EcommerceEda.Warehouse.Features.SetStock;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EcommerceEda.Warehouse;

public static class WarehouseApi
{
    public static IEndpointRouteBuilder MapWarehouseApi(this IEndpointRouteBuilder app)
    {
        var stock = app.MapGroup("/api/stock").WithTags("Stock");
        stock.MapPut("/{sku}", SetStock).WithName(nameof(SetStock));
        stock.MapGet("/{sku}", GetStock).WithName(nameof(GetStock));
        return app;
    }

    public static async Task<Results<Ok<StockView>, ProblemHttpResult>> SetStock(
        string sku, SetStockRequest request, IMediator mediator, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new SetStock(sku, request.OnHand), cancellationToken);
        return result.BelowReserved
            ? TypedResults.Problem(
                $"{result.Stock.Reserved} units of {sku} are reserved; on hand cannot be set below that.",
                statusCode: StatusCodes.Status409Conflict)
            : TypedResults.Ok(result.Stock);
    }

    public static async Task<Results<Ok<StockView>, NotFound>> GetStock(
        string sku, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetStock(sku), cancellationToken) is { } stock
            ? TypedResults.Ok(stock)
            : TypedResults.NotFound();
}
