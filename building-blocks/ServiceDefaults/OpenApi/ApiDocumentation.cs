using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace EcommerceEda.ServiceDefaults.OpenApi;

/// <summary>
/// The OpenAPI document every service serves at <c>/openapi/v1.json</c>: the bearer scheme and the roles of each
/// operation, the errors the defaults answer with (as problem details: a 400 for bad input, 401 and 403, 413 for a
/// body past the limit, 429 past the rate limit, 503 while the database is out of reach) beside those an endpoint
/// declares itself, and typed examples (<see cref="AddApiExample{T}"/>). In development Scalar draws it at
/// <c>/scalar</c>.
/// </summary>
public static class ApiDocumentation
{
    /// <summary>The name of the bearer security scheme in the document.</summary>
    public const string BearerScheme = "Bearer";

    private const string ProblemJson = "application/problem+json";

    /// <summary>Adds the document, titled after <paramref name="applicationName"/> (<c>EcommerceEda.Orders</c>: Orders API).</summary>
    internal static IServiceCollection AddApiDocumentation(this IServiceCollection services, string applicationName) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = $"{applicationName.Split('.')[^1]} API";
                document.Info.Description =
                    "Every operation but the health checks wants a JWT bearer token with one of the roles it names "
                    + "(dotnet user-jwts create --project AppHost --audience ecommerce-eda --name <subject> --role <role>). "
                    + "Errors are problem details (RFC 9457).";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A token of the AppHost's signing key; its role claims are customer, warehouse, courier or operator.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribeAsync);
        });

    /// <summary>Shows <paramref name="example"/> as the example of <typeparamref name="T"/>, wherever its schema appears.</summary>
    public static IServiceCollection AddApiExample<T>(this IServiceCollection services, T example) =>
        services.Configure<OpenApiOptions>("v1", options => options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(T))
            {
                schema.Examples = [JsonSerializer.SerializeToNode(example, context.JsonTypeInfo.Options)!];
            }

            return Task.CompletedTask;
        }));

    /// <summary>Scalar's API reference of the document, at <c>/scalar</c>, for development.</summary>
    internal static void MapApiReference(this WebApplication app) =>
        app.MapScalarApiReference(scalar => scalar.AddPreferredSecuritySchemes(BearerScheme)).AllowAnonymous();

    private static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }

        var roles = metadata.OfType<IAuthorizeData>().SelectMany(data => data.Roles?.Split(',') ?? []).Distinct().ToList();
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
        if (roles.Count > 0)
        {
            operation.Description = $"{operation.Description}{(operation.Description is null ? "" : "\n\n")}Roles: {string.Join(", ", roles)}.".TrimStart();
        }

        var problem = await ProblemSchemaAsync(context, cancellationToken);
        var input = context.Description.ParameterDescriptions.Count > 0;
        var body = operation.RequestBody is not null;
        operation.Responses ??= [];
        Add(operation, problem, StatusCodes.Status400BadRequest, "The request is malformed or invalid: each problem is named under errors.", input || body);
        Add(operation, problem, StatusCodes.Status401Unauthorized, "No token, or one that is expired, not for this audience or not signed by the AppHost's key.", true);
        Add(operation, problem, StatusCodes.Status403Forbidden, $"The token has none of the roles: {string.Join(", ", roles)}.", roles.Count > 0);
        Add(operation, problem, StatusCodes.Status413PayloadTooLarge, "The body is larger than Api:MaxRequestBodyBytes.", body);
        Add(operation, problem, StatusCodes.Status429TooManyRequests, "The caller's rate limit is spent: try again after Retry-After.", metadata.OfType<EnableRateLimitingAttribute>().Any());
        Add(operation, problem, StatusCodes.Status503ServiceUnavailable, "The database is out of reach for now: try again after Retry-After.", true);
    }

    private static void Add(OpenApiOperation operation, IOpenApiSchema problem, int status, string description, bool applies)
    {
        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!applies || operation.Responses!.ContainsKey(code))
        {
            return;
        }

        operation.Responses[code] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = problem } },
        };
    }

    private static async Task<IOpenApiSchema> ProblemSchemaAsync(OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        const string name = nameof(HttpValidationProblemDetails);
        if (context.Document?.Components?.Schemas?.ContainsKey(name) != true)
        {
            context.Document?.AddComponent(name, await context.GetOrCreateSchemaAsync(typeof(HttpValidationProblemDetails), cancellationToken: cancellationToken));
        }

        return new OpenApiSchemaReference(name, context.Document);
    }
}
