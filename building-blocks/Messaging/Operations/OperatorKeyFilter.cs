using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace EcommerceEda.Messaging.Operations;

/// <summary>
/// Lets only an operator use <c>/ops</c>: the request must carry <c>X-Ops-Key</c> equal to
/// <c>Messaging:Ops:Key</c> (an Aspire parameter). Without a configured key the endpoints are closed.
/// </summary>
internal sealed class OperatorKeyFilter(IConfiguration configuration) : IEndpointFilter
{
    public const string HeaderName = "X-Ops-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = configuration["Messaging:Ops:Key"];
        var given = context.HttpContext.Request.Headers[HeaderName].ToString();
        var allowed = !string.IsNullOrEmpty(expected)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
        return allowed
            ? await next(context)
            : TypedResults.Problem(
                $"Operations need the operator key in the {HeaderName} header.", statusCode: StatusCodes.Status401Unauthorized);
    }
}
