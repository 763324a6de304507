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
        return app;
    }

    public static async Task<Results<Ok<OrderTimeline>, NotFound>> GetOrderTimeline(
        Guid orderId, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetOrderTimeline(orderId), cancellationToken) is { } timeline
            ? TypedResults.Ok(timeline)
            : TypedResults.NotFound();

    public static async Task<Ok<CustomerTimeline>> GetCustomerTimeline(
        string customerId, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new GetCustomerTimeline(customerId), cancellationToken));
}
