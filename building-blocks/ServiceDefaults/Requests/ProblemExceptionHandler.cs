using EcommerceEda.ServiceDefaults.Postgres;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace EcommerceEda.ServiceDefaults.Requests;

/// <summary>
/// Answers a client's mistake with an RFC 9457 problem instead of a 500: a body that is not JSON or has
/// a value of the wrong type (the status ASP.NET Core chose, with the parser's words), and a request that
/// breaks its rules (a 400 validation problem listing every field). While the database is unavailable (down,
/// restarting) the answer is 503 with <c>Retry-After</c>: nothing was stored, and the same request may be sent again.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = exception switch
        {
            RequestValidationException invalid => new HttpValidationProblemDetails(invalid.Errors
                .GroupBy(e => e.Field)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "One or more validation errors occurred.",
            },
            BadHttpRequestException unreadable => new ProblemDetails
            {
                Status = unreadable.StatusCode,
                Title = "The request could not be read.",
                Detail = unreadable.InnerException is { } cause ? $"{unreadable.Message} {cause.Message}" : unreadable.Message,
            },
            _ when TransientFailures.IsTransient(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The service is unavailable for a moment.",
                Detail = "Its database cannot be reached; nothing was stored. Send the same request again shortly.",
            },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = problem,
        });
    }
}
