using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EcommerceEda.ServiceDefaults.Requests;

/// <summary>How often one caller may use an endpoint that requires <see cref="CallerRateLimit.Policy"/> (<c>Api:RateLimit</c>).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests per second each caller gets back; 0 turns the limit off (the load tests, one busy caller).</summary>
    public int PermitsPerSecond { get; set; } = 5;

    /// <summary>Requests a caller may make at once after a quiet spell.</summary>
    public int Burst { get; set; } = 10;
}

/// <summary>
/// A token bucket per caller (the token's subject; the client's address when anonymous) for the endpoints that
/// require <see cref="Policy"/>: placing orders. Past it a caller gets 429 with problem details and
/// <c>Retry-After</c>, and nothing is done; other callers are not held up.
/// </summary>
public static class CallerRateLimit
{
    /// <summary>The policy's name, for <c>RequireRateLimiting</c>.</summary>
    public const string Policy = "per-caller";

    internal static void AddCallerRateLimit(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Policy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RateLimit;
                var caller = context.User.Identity?.Name ?? $"address:{context.Connection.RemoteIpAddress}";
                return options.PermitsPerSecond <= 0
                    ? RateLimitPartition.GetNoLimiter(caller)
                    : RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.Burst,
                        TokensPerPeriod = options.PermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                    });
            });
            limiter.OnRejected = (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(TypedResults.Problem(
                    $"Too many requests from this caller: try again in {seconds} s.",
                    title: "Too many requests",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(rejected.HttpContext));
            };
        });
    }
}
