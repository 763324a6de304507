using EcommerceEda.Orders.Features.GetOrder;
using EcommerceEda.Orders.Features.PlaceOrder;
using EcommerceEda.Orders.Idempotency;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace EcommerceEda.Orders;

public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/orders").WithTags("Orders");
        orders.MapPost("/", PlaceOrder).WithName(nameof(PlaceOrder));
        orders.MapGet("/{orderId:guid}", GetOrder).WithName(nameof(GetOrder));
        return app;
    }

    public static async Task<Results<Accepted<PlacedOrder>, ProblemHttpResult>> PlaceOrder(
        PlaceOrderRequest order,
        [FromHeader(Name = IdempotencyKey.HeaderName)] string? idempotencyKey,
        IMediator mediator,
        CancellationToken cancellationToken)
    {
        if (!IdempotencyKey.TryParse(idempotencyKey, out var key))
        {
            return TypedResults.Problem(IdempotencyKey.Rule, statusCode: StatusCodes.Status400BadRequest);
        }

        var result = await mediator.Send(new PlaceOrder(key, order), cancellationToken);
        return result.Claim is IdempotencyClaim.Mismatch
            ? TypedResults.Problem(
                $"The {IdempotencyKey.HeaderName} '{key}' was already used with a different request.",
                statusCode: StatusCodes.Status422UnprocessableEntity)
            : TypedResults.Accepted($"/api/orders/{result.Order.OrderId}", result.Order);
    }

    public static async Task<Results<Ok<OrderDetails>, NotFound>> GetOrder(
        Guid orderId, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetOrder(orderId), cancellationToken) is { } order
            ? TypedResults.Ok(order)
            : TypedResults.NotFound();
}
