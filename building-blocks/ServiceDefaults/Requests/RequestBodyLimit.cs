using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EcommerceEda.ServiceDefaults.Requests;

/// <summary>Settings of the HTTP API (configuration section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    /// <summary>The largest request body a service reads (64 KiB: an order of 100 lines takes about 10 KiB).</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The per-caller limit of the endpoints that ask for it (<see cref="CallerRateLimit"/>).</summary>
    public RateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>
/// Refuses a request body larger than <see cref="ApiOptions.MaxRequestBodyBytes"/> with 413 and problem details
/// before anything reads it; a body without a declared length is cut off at the limit by the server.
/// </summary>
internal static class RequestBodyLimit
{
    public static Task Enforce(HttpContext context, RequestDelegate next)
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            return TypedResults.Problem(
                $"The request body is {context.Request.ContentLength} bytes; the limit is {limit}.",
                title: "Request body too large",
                statusCode: StatusCodes.Status413PayloadTooLarge).ExecuteAsync(context);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}
