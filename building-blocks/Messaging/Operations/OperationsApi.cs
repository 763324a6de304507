using System.Text.Json;
using EcommerceEda.Messaging.Faults;
using EcommerceEda.Messaging.Operations;
using EcommerceEda.Messaging.Streams;
using EcommerceEda.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The body of a redrive: the message ids to move back, or none for all.</summary>
/// <param name="MessageIds">The ids; null or absent moves every dead letter of the queue.</param>
public sealed record RedriveRequest(IReadOnlyList<string>? MessageIds);

/// <summary>What a redrive moved back.</summary>
/// <param name="Queue">The work queue.</param>
/// <param name="Redriven">Messages moved from its dead-letter queue back to it.</param>
public sealed record RedriveResult(string Queue, int Redriven);

/// <summary>Where a stream reader is.</summary>
/// <param name="Reader">Its name.</param>
/// <param name="LastOffset">The offset of the last event it applied; null before the first (or just after a replay).</param>
public sealed record StreamReaderReport(string Reader, long? LastOffset);

/// <summary>How the relay disturbs its publishes, for fault tests.</summary>
/// <param name="DuplicateRate">The share of publishes repeated about a second later, from 0 to 1.</param>
/// <param name="DelayRate">The share of publishes held back about a second, behind later ones, from 0 to 1.</param>
public sealed record DeliveryFaults(double DuplicateRate, double DelayRate);

/// <summary>The operations endpoints every service exposes under <c>/ops</c>, for callers in the operator role only.</summary>
public static class OperationsApi
{
    private static readonly Dictionary<string, CrashPoint> CrashPoints = Enum.GetValues<CrashPoint>()
        .ToDictionary(point => JsonNamingPolicy.KebabCaseLower.ConvertName(point.ToString()), StringComparer.Ordinal);

    /// <summary>
    /// Maps <c>/ops/queues</c>, <c>/ops/dead-letters</c>, the redrive endpoints, <c>/ops/streams</c> and replay, and,
    /// when <see cref="FaultInjectionOptions.Enabled"/>, <c>/ops/faults</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapMessagingOperations(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/ops").WithTags("Operations").RequireRoles(Roles.Operator);
        ops.MapGet("/queues", GetQueues);
        ops.MapGet("/dead-letters", GetDeadLetters);
        ops.MapPost("/dead-letters/redrive", RedriveAll);
        ops.MapPost("/dead-letters/{queue}/redrive", Redrive).ProducesProblem(StatusCodes.Status404NotFound);
        ops.MapGet("/streams", GetStreamReaders);
        ops.MapPost("/streams/{reader}/replay", Replay).ProducesProblem(StatusCodes.Status404NotFound);
        if (app.ServiceProvider.GetRequiredService<IOptions<FaultInjectionOptions>>().Value.Enabled)
        {
            ops.MapPost("/faults/crash/{point}", ArmCrash).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
            ops.MapPut("/faults/deliveries", DisturbDeliveries);
        }

        return app;
    }

    // A request may reach the service late: the orchestrator's proxy holds a connection while the service restarts,
    // and an HTTP client sends a request again on a new connection when the one it used closed unanswered. A crash
    // armed then would kill the next process too; a request with an expiry that has passed arms nothing.
    private static Results<Accepted, ProblemHttpResult> ArmCrash(string point, DateTimeOffset? expires, FaultInjection faults, TimeProvider clock)
    {
        if (!CrashPoints.TryGetValue(point, out var crashPoint))
        {
            return TypedResults.Problem(
                $"'{point}' is not a crash point: choose from {string.Join(", ", CrashPoints.Keys)}.", statusCode: StatusCodes.Status404NotFound);
        }

        if (expires < clock.GetUtcNow())
        {
            return TypedResults.Problem(
                $"The request expired at {expires:O}, before it arrived; nothing was armed.", statusCode: StatusCodes.Status409Conflict);
        }

        faults.Arm(crashPoint);
        return TypedResults.Accepted((string?)null);
    }

    private static Results<Ok<DeliveryFaults>, ProblemHttpResult> DisturbDeliveries(DeliveryFaults request, FaultInjection faults)
    {
        if (request.DuplicateRate is not (>= 0 and <= 1) || request.DelayRate is not (>= 0 and <= 1))
        {
            return TypedResults.Problem("duplicateRate and delayRate must be from 0 to 1.", statusCode: StatusCodes.Status400BadRequest);
        }

        faults.DisturbDeliveries(request.DuplicateRate, request.DelayRate);
        return TypedResults.Ok(request);
    }

    private static async Task<Ok<StreamReaderReport[]>> GetStreamReaders(StreamReaders readers, CancellationToken cancellationToken)
    {
        var reports = new List<StreamReaderReport>();
        foreach (var reader in readers.All)
        {
            reports.Add(new StreamReaderReport(reader.Name, await reader.LastOffsetAsync(cancellationToken)));
        }

        return TypedResults.Ok(reports.ToArray());
    }

    private static async Task<Results<Accepted<StreamReaderReport>, ProblemHttpResult>> Replay(
        string reader, StreamReaders readers, CancellationToken cancellationToken)
    {
        if (readers.Find(reader) is not { } found)
        {
            return TypedResults.Problem(
                $"'{reader}' is not a stream reader of this service; GET /ops/streams lists them.", statusCode: StatusCodes.Status404NotFound);
        }

        await found.ReplayAsync().WaitAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, new StreamReaderReport(found.Name, LastOffset: null));
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
