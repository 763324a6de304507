using EcommerceEda.Messaging.Idempotency;
using EcommerceEda.Orders.Features.CancelOrder;
using EcommerceEda.Orders.Features.GetOrder;
using EcommerceEda.Orders.Features.ListOrders;
using EcommerceEda.Orders.Features.PlaceOrder;
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
        orders.MapGet("/", ListOrders).WithName(nameof(ListOrders));
        orders.MapPost("/{orderId:guid}/cancel", CancelOrder).WithName(nameof(CancelOrder));
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
            return IdempotencyKey.MissingOrMalformed();
        }

        var result = await mediator.Send(new PlaceOrder(key, order), cancellationToken);
        return result.Claim is IdempotencyClaim.Mismatch
            ? key.ReusedWithAnotherRequest()
            : TypedResults.Accepted($"/api/orders/{result.Order.OrderId}", result.Order);
    }

    public static async Task<Ok<OrderPage>> ListOrders(
        IMediator mediator, CancellationToken cancellationToken, string? customerId = null, string? status = null, int limit = 20, string? cursor = null) =>
        TypedResults.Ok(await mediator.Send(new ListOrders(customerId, status, limit, cursor), cancellationToken));

    public static async Task<Results<Accepted, NotFound, ProblemHttpResult>> CancelOrder(
        Guid orderId, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new RequestCancellation(orderId), cancellationToken) switch
        {
            CancellationAnswer.Accepted => TypedResults.Accepted($"/api/orders/{orderId}"),
            CancellationAnswer.TooLate => TypedResults.Problem(
                "The order has shipped: it can no longer be cancelled (return it once delivered).", statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.NotFound(),
        };

    public static async Task<Results<Ok<OrderDetails>, NotFound>> GetOrder(
        Guid orderId, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetOrder(orderId), cancellationToken) is { } order
            ? TypedResults.Ok(order)
            : TypedResults.NotFound();
}
