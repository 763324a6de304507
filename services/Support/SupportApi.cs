using EcommerceEda.Support.Features.FollowUps;
using EcommerceEda.Support.Features.Timeline;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EcommerceEda.Support;

public static class SupportApi
{
    public static IEndpointRouteBuilder MapSupportApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/orders/{orderId:guid}/timeline", GetOrderTimeline).WithTags("Timeline").WithName(nameof(GetOrderTimeline));
        app.MapGet("/api/customers/{customerId}/timeline", GetCustomerTimeline).WithTags("Timeline").WithName(nameof(GetCustomerTimeline));
        app.MapGet("/api/follow-ups", GetFollowUps).WithTags("Follow-ups").WithName(nameof(GetFollowUps));
        return app;
    }

    public static async Task<Results<Ok<OrderTimeline>, NotFound>> GetOrderTimeline(
        Guid orderId, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetOrderTimeline(orderId), cancellationToken) is { } timeline
            ? TypedResults.Ok(timeline)
            : TypedResults.NotFound();

    public static async Task<Results<Ok<IReadOnlyList<FollowUp>>, ProblemHttpResult>> GetFollowUps(
        IMediator mediator, CancellationToken cancellationToken, int limit = 100) =>
        limit is < 1 or > 1000
            ? TypedResults.Problem("limit must be from 1 to 1000.", statusCode: StatusCodes.Status400BadRequest)
            : TypedResults.Ok(await mediator.Send(new GetFollowUps(limit), cancellationToken));

    public static async Task<Ok<CustomerTimeline>> GetCustomerTimeline(
        string customerId, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new GetCustomerTimeline(customerId), cancellationToken));
}
