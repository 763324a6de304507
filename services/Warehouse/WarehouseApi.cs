using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Warehouse.Features.GetStock;
using EcommerceEda.Warehouse.Features.Picks;
using EcommerceEda.Warehouse.Features.SetStock;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EcommerceEda.Warehouse;

public static class WarehouseApi
{
    public static IEndpointRouteBuilder MapWarehouseApi(this IEndpointRouteBuilder app)
    {
        // Warehouse staff keep the stock and complete picks; an operator reads both.
        var stock = app.MapGroup("/api/stock").WithTags("Stock");
        stock.MapPut("/{sku}", SetStock).WithName(nameof(SetStock)).RequireRoles(Roles.Warehouse)
            .ProducesProblem(StatusCodes.Status409Conflict); // fewer on hand than reserved
        stock.MapGet("/{sku}", GetStock).WithName(nameof(GetStock)).RequireRoles(Roles.Warehouse, Roles.Operator);

        var picks = app.MapGroup("/api/picks").WithTags("Picks");
        picks.MapGet("/", GetPicks).WithName(nameof(GetPicks)).RequireRoles(Roles.Warehouse, Roles.Operator);
        picks.MapPost("/{taskToken:guid}/complete", CompletePick).WithName(nameof(CompletePick)).RequireRoles(Roles.Warehouse)
            .ProducesProblem(StatusCodes.Status409Conflict); // its order was cancelled
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

    public static async Task<Results<Ok<IReadOnlyList<PickTask>>, ProblemHttpResult>> GetPicks(
        IMediator mediator, CancellationToken cancellationToken, string status = "Pending", int limit = 100)
    {
        if (!GetPicksHandler.Statuses.Contains(status) || limit is < 1 or > 1000)
        {
            return TypedResults.Problem(
                $"status is one of {string.Join(", ", GetPicksHandler.Statuses)}; limit is from 1 to 1000.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        return TypedResults.Ok(await mediator.Send(new GetPicks(status, limit), cancellationToken));
    }

    public static async Task<Results<Accepted, NotFound, ProblemHttpResult>> CompletePick(
        Guid taskToken, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new CompletePick(taskToken), cancellationToken) switch
        {
            CompletePickResult.Completed => TypedResults.Accepted((string?)null),
            CompletePickResult.Cancelled => TypedResults.Problem(
                "The pick was cancelled: its order was cancelled.", statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.NotFound(),
        };

    public static async Task<Results<Ok<StockView>, NotFound>> GetStock(
        string sku, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetStock(sku), cancellationToken) is { } stock
            ? TypedResults.Ok(stock)
            : TypedResults.NotFound();
}
