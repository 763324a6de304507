using System.Security.Claims;
using EcommerceEda.Messaging.Idempotency;
using EcommerceEda.ServiceDefaults.Security;
using EcommerceEda.Support.Features.FollowUps;
using EcommerceEda.Support.Features.Returns;
using EcommerceEda.Support.Features.Timeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace EcommerceEda.Support;

public static class SupportApi
{
    public static IEndpointRouteBuilder MapSupportApi(this IEndpointRouteBuilder app)
    {
        // Operators read timelines and follow-ups, a customer their own timeline; a customer returns their own
        // delivered order, and warehouse staff receive the parcel.
        app.MapGet("/api/orders/{orderId:guid}/timeline", GetOrderTimeline)
            .WithTags("Timeline").WithName(nameof(GetOrderTimeline)).RequireRoles(Roles.Operator);
        app.MapGet("/api/customers/{customerId}/timeline", GetCustomerTimeline)
            .WithTags("Timeline").WithName(nameof(GetCustomerTimeline)).RequireRoles(Roles.Customer, Roles.Operator);
        app.MapGet("/api/follow-ups", GetFollowUps).WithTags("Follow-ups").WithName(nameof(GetFollowUps)).RequireRoles(Roles.Operator);
        var returns = app.MapGroup("/api/returns").WithTags("Returns");
        returns.MapPost("/", RequestReturn).WithName(nameof(RequestReturn)).RequireRoles(Roles.Customer)
            .ProducesProblem(StatusCodes.Status409Conflict); // not delivered, or returned already
        returns.MapPost("/{returnId:guid}/receive", ReceiveReturn).WithName(nameof(ReceiveReturn)).RequireRoles(Roles.Warehouse);
        return app;
    }

    public static async Task<Results<Ok<OrderTimeline>, NotFound>> GetOrderTimeline(
        Guid orderId, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetOrderTimeline(orderId), cancellationToken) is { } timeline
            ? TypedResults.Ok(timeline)
            : TypedResults.NotFound();

    public static async Task<Results<Accepted<RequestedReturn>, NotFound, ProblemHttpResult>> RequestReturn(
        RequestReturnRequest request,
        [FromHeader(Name = IdempotencyKey.HeaderName)] string? idempotencyKey,
        ClaimsPrincipal caller,
        IMediator mediator,
        CancellationToken cancellationToken)
    {
        if (!IdempotencyKey.TryParse(idempotencyKey, out var key))
        {
            return IdempotencyKey.MissingOrMalformed();
        }

        var result = await mediator.Send(new RequestReturn(key, request, caller.Identity?.Name ?? ""), cancellationToken);
        return result.Outcome switch
        {
            ReturnOutcome.Requested or ReturnOutcome.Replayed => TypedResults.Accepted($"/api/returns/{result.Return.ReturnId}", result.Return),
            ReturnOutcome.KeyReused => key.ReusedWithAnotherRequest(),
            ReturnOutcome.AlreadyReturned => TypedResults.Problem("The order already has a return.", statusCode: StatusCodes.Status409Conflict),
            ReturnOutcome.NotTheCustomers => TypedResults.NotFound(),
            _ => TypedResults.Problem("Only a delivered order can be returned.", statusCode: StatusCodes.Status409Conflict),
        };
    }

    public static async Task<Results<Accepted, NotFound>> ReceiveReturn(Guid returnId, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new ReceiveReturn(returnId), cancellationToken) ? TypedResults.Accepted((string?)null) : TypedResults.NotFound();

    public static async Task<Results<Ok<IReadOnlyList<FollowUp>>, ProblemHttpResult>> GetFollowUps(
        IMediator mediator, CancellationToken cancellationToken, int limit = 100) =>
        limit is < 1 or > 1000
            ? TypedResults.Problem("limit must be from 1 to 1000.", statusCode: StatusCodes.Status400BadRequest)
            : TypedResults.Ok(await mediator.Send(new GetFollowUps(limit), cancellationToken));

    public static async Task<Results<Ok<CustomerTimeline>, ProblemHttpResult>> GetCustomerTimeline(
        string customerId, ClaimsPrincipal caller, IMediator mediator, CancellationToken cancellationToken) =>
        caller.ActsFor(customerId)
            ? TypedResults.Ok(await mediator.Send(new GetCustomerTimeline(customerId), cancellationToken))
            : TypedResults.Problem("A customer sees only their own timeline.", statusCode: StatusCodes.Status403Forbidden);
}
