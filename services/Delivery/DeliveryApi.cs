using EcommerceEda.Delivery.Features.Shipments;
using EcommerceEda.ServiceDefaults.Security;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EcommerceEda.Delivery;

/// <summary>The body of <c>POST /api/shipments/{shipmentId}/failed</c>.</summary>
public sealed record DeliveryFailure(string? Reason);

public static class DeliveryApi
{
    public static IEndpointRouteBuilder MapDeliveryApi(this IEndpointRouteBuilder app)
    {
        // Couriers report how a shipment ended; an operator reads shipments too.
        var shipments = app.MapGroup("/api/shipments").WithTags("Shipments");
        shipments.MapGet("/{orderId:guid}", GetShipment).WithName(nameof(GetShipment)).RequireRoles(Roles.Courier, Roles.Operator);
        shipments.MapPost("/{shipmentId:guid}/delivered", Delivered).WithName(nameof(Delivered)).RequireRoles(Roles.Courier)
            .ProducesProblem(StatusCodes.Status409Conflict); // it already ended the other way
        shipments.MapPost("/{shipmentId:guid}/failed", Failed).WithName(nameof(Failed)).RequireRoles(Roles.Courier)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Results<Ok<Shipment>, NotFound>> GetShipment(
        Guid orderId, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new GetShipment(orderId), cancellationToken) is { } shipment
            ? TypedResults.Ok(shipment)
            : TypedResults.NotFound();

    public static Task<Results<Accepted, NotFound, ProblemHttpResult>> Delivered(
        Guid shipmentId, IMediator mediator, CancellationToken cancellationToken) =>
        ReportAsync(new ReportDelivery(shipmentId, Delivered: true, Reason: null), mediator, cancellationToken);

    public static Task<Results<Accepted, NotFound, ProblemHttpResult>> Failed(
        Guid shipmentId, DeliveryFailure failure, IMediator mediator, CancellationToken cancellationToken) =>
        ReportAsync(new ReportDelivery(shipmentId, Delivered: false, failure.Reason), mediator, cancellationToken);

    private static async Task<Results<Accepted, NotFound, ProblemHttpResult>> ReportAsync(
        ReportDelivery report, IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(report, cancellationToken) switch
        {
            ReportDeliveryResult.Recorded => TypedResults.Accepted((string?)null),
            ReportDeliveryResult.AlreadyEndedOtherwise => TypedResults.Problem(
                "The shipment already ended the other way.", statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.NotFound(),
        };
}
