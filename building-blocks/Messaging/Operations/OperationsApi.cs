using EcommerceEda.Messaging.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The body of a redrive: the message ids to move back, or none for all.</summary>
/// <param name="MessageIds">The ids; null or absent moves every dead letter of the queue.</param>
public sealed record RedriveRequest(IReadOnlyList<string>? MessageIds);

/// <summary>What a redrive moved back.</summary>
/// <param name="Queue">The work queue.</param>
/// <param name="Redriven">Messages moved from its dead-letter queue back to it.</param>
public sealed record RedriveResult(string Queue, int Redriven);

/// <summary>The operations endpoints every service exposes under <c>/ops</c>, for operators only.</summary>
public static class OperationsApi
{
    /// <summary>Maps <c>/ops/queues</c>, <c>/ops/dead-letters</c> and the redrive endpoints.</summary>
    public static IEndpointRouteBuilder MapMessagingOperations(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/ops").WithTags("Operations").AddEndpointFilter<OperatorKeyFilter>();
        ops.MapGet("/queues", GetQueues);
        ops.MapGet("/dead-letters", GetDeadLetters);
        ops.MapPost("/dead-letters/redrive", RedriveAll);
        ops.MapPost("/dead-letters/{queue}/redrive", Redrive);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<QueueReport>>> GetQueues(QueueStatistics statistics, CancellationToken cancellationToken) =>
        TypedResults.Ok(await statistics.ReportAsync(cancellationToken));

    private static async Task<Results<Ok<IReadOnlyList<DeadLetter>>, ProblemHttpResult>> GetDeadLetters(
        DeadLetterStore store, CancellationToken cancellationToken, int limit = 100) =>
        limit is < 1 or > 1000
            ? TypedResults.Problem("limit must be from 1 to 1000.", statusCode: StatusCodes.Status400BadRequest)
            : TypedResults.Ok(await store.PeekAsync(limit, cancellationToken));

    private static async Task<Ok<RedriveResult[]>> RedriveAll(DeadLetterStore store, CancellationToken cancellationToken)
    {
        var results = new List<RedriveResult>();
        foreach (var queue in store.Queues)
        {
            results.Add(new RedriveResult(queue, await store.RedriveAsync(queue, messageIds: null, cancellationToken)));
        }

        return TypedResults.Ok(results.ToArray());
    }

    private static async Task<Results<Ok<RedriveResult>, ProblemHttpResult>> Redrive(
        string queue,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] RedriveRequest? request,
        DeadLetterStore store,
        CancellationToken cancellationToken)
    {
        if (!store.Owns(queue))
        {
            return TypedResults.Problem(
                $"'{queue}' is not a queue of this service; GET /ops/queues lists them.", statusCode: StatusCodes.Status404NotFound);
        }

        var ids = request?.MessageIds?.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return TypedResults.Ok(new RedriveResult(queue, await store.RedriveAsync(queue, ids, cancellationToken)));
    }
}
