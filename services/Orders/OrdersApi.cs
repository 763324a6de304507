using System.Security.Claims;
using EcommerceEda.Messaging.Idempotency;
using EcommerceEda.Orders.Features.CancelOrder;
using EcommerceEda.Orders.Features.FulfillmentView;
using EcommerceEda.Orders.Features.GetOrder;
using EcommerceEda.Orders.Features.ListOrders;
using EcommerceEda.Orders.Features.PlaceOrder;
using EcommerceEda.ServiceDefaults.Requests;
using EcommerceEda.ServiceDefaults.Security;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace EcommerceEda.Orders;

public static class OrdersApi
{
    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        // A customer places, reads and cancels their own orders; an operator reads anyone's.
        var orders = app.MapGroup("/api/orders").WithTags("Orders");
        orders.MapPost("/", PlaceOrder).WithName(nameof(PlaceOrder)).RequireRoles(Roles.Customer).RequireRateLimiting(CallerRateLimit.Policy)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity); // the idempotency key was used with another body
        orders.MapGet("/{orderId:guid}", GetOrder).WithName(nameof(GetOrder)).RequireRoles(Roles.Customer, Roles.Operator);
        orders.MapGet("/", ListOrders).WithName(nameof(ListOrders)).RequireRoles(Roles.Customer, Roles.Operator);
        orders.MapPost("/{orderId:guid}/cancel", CancelOrder).WithName(nameof(CancelOrder)).RequireRoles(Roles.Customer)
            .ProducesProblem(StatusCodes.Status409Conflict); // shipped already
        orders.MapGet("/{orderId:guid}/execution", GetExecution).WithName(nameof(GetExecution)).RequireRoles(Roles.Customer, Roles.Operator);
        app.MapFulfillmentView();
        return app;
    }

    public static async Task<Results<Accepted<PlacedOrder>, ProblemHttpResult>> PlaceOrder(
        PlaceOrderRequest order,
        [FromHeader(Name = IdempotencyKey.HeaderName)] string? idempotencyKey,
        ClaimsPrincipal caller,
        IMediator mediator,
        CancellationToken cancellationToken)
    {
        if (!IdempotencyKey.TryParse(idempotencyKey, out var key))
        {
            return IdempotencyKey.MissingOrMalformed();
        }

        if (order.CustomerId is not null && !caller.ActsFor(order.CustomerId, operatorToo: false))
        {
            return TypedResults.Problem(
                "A customer places orders for themself: customerId must be the token's subject.", statusCode: StatusCodes.Status403Forbidden);
        }

        var result = await mediator.Send(new PlaceOrder(key, order), cancellationToken);
        return result.Claim is IdempotencyClaim.Mismatch
            ? key.ReusedWithAnotherRequest()
            : TypedResults.Accepted($"/api/orders/{result.Order.OrderId}", result.Order);
    }

    /// <summary>An operator lists anyone's orders; a customer only their own, whether or not they name themself.</summary>
    public static async Task<Results<Ok<OrderPage>, ProblemHttpResult>> ListOrders(
        ClaimsPrincipal caller,
        IMediator mediator,
        CancellationToken cancellationToken,
        string? customerId = null,
        string? status = null,
        int limit = 20,
        string? cursor = null)
    {
        if (!caller.IsInRole(Roles.Operator))
        {
            customerId ??= caller.Identity?.Name;
            if (customerId is null || !caller.ActsFor(customerId))
            {
                return TypedResults.Problem("A customer lists only their own orders.", statusCode: StatusCodes.Status403Forbidden);
            }
        }

        return TypedResults.Ok(await mediator.Send(new ListOrders(customerId, status, limit, cursor), cancellationToken));
    }

    public static async Task<Results<Accepted, NotFound, ProblemHttpResult>> CancelOrder(
        Guid orderId, ClaimsPrincipal caller, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new RequestCancellation(orderId, caller.Identity?.Name ?? ""), cancellationToken) switch
        {
            CancellationAnswer.Accepted => TypedResults.Accepted($"/api/orders/{orderId}"),
            CancellationAnswer.TooLate => TypedResults.Problem(
                "The order has shipped: it can no longer be cancelled (return it once delivered).", statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.NotFound(),
        };

    /// <summary>What the fulfillment saga did with the order, step by step (the saga view draws it); another customer's is not found.</summary>
    public static async Task<Results<Ok<OrderExecution>, NotFound>> GetExecution(
        Guid orderId, ClaimsPrincipal caller, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetExecution(orderId), cancellationToken) is { } execution && caller.ActsFor(execution.CustomerId)
            ? TypedResults.Ok(execution)
            : TypedResults.NotFound();

    /// <summary>Another customer's order is not found: its existence is not the caller's business.</summary>
    public static async Task<Results<Ok<OrderDetails>, NotFound>> GetOrder(
        Guid orderId, ClaimsPrincipal caller, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetOrder(orderId), cancellationToken) is { } order && caller.ActsFor(order.CustomerId)
            ? TypedResults.Ok(order)
            : TypedResults.NotFound();
}
