using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EcommerceEda.ServiceDefaults.Security;

/// <summary>The roles a caller's token may carry (its <c>role</c> claims).</summary>
public static class Roles
{
    /// <summary>Places orders and returns, and sees only their own: another customer's order is not found.</summary>
    public const string Customer = "customer";

    /// <summary>Warehouse staff: stock, pick tasks, returned parcels.</summary>
    public const string Warehouse = "warehouse";

    /// <summary>Reports a shipment delivered or failed.</summary>
    public const string Courier = "courier";

    /// <summary>Reads everything, and runs <c>/ops</c>.</summary>
    public const string Operator = "operator";
}

/// <summary>
/// JWT bearer authentication and role-based authorisation. Tokens are validated as
/// <c>Authentication:Schemes:Bearer</c> says (<c>ValidIssuer</c>, <c>ValidAudiences</c>, <c>SigningKeys</c> or an
/// <c>Authority</c>), the section <c>dotnet user-jwts</c> writes and the AppHost fills. The caller is the token's
/// <c>sub</c> and its roles are its <c>role</c> claims, as issued, without renaming. Every endpoint needs an
/// authenticated caller unless it allows anonymous ones (health checks, the OpenAPI document).
/// </summary>
public static class ApiSecurity
{
    /// <summary>Adds JWT bearer authentication and an authorisation policy that wants an authenticated caller by default.</summary>
    public static void AddApiSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters.NameClaimType = "sub";
            options.TokenValidationParameters.RoleClaimType = "role";
        });
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
    }

    /// <summary>Lets callers with any of <paramref name="roles"/> in; others get 403, callers without a token 401.</summary>
    public static TBuilder RequireRoles<TBuilder>(this TBuilder endpoints, params string[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        endpoints.RequireAuthorization(new AuthorizeAttribute { Roles = string.Join(',', roles) });

    /// <summary>
    /// True when the caller may see or act for <paramref name="customerId"/>: the customer themself, or an operator
    /// when <paramref name="operatorToo"/>.
    /// </summary>
    public static bool ActsFor(this ClaimsPrincipal caller, string customerId, bool operatorToo = true) =>
        (operatorToo && caller.IsInRole(Roles.Operator))
        || (caller.IsInRole(Roles.Customer) && caller.Identity?.Name == customerId);
}
