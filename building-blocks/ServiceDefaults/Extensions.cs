using System.Text.Json.Serialization;
using EcommerceEda.ServiceDefaults.OpenApi;
using EcommerceEda.ServiceDefaults.Requests;
using EcommerceEda.ServiceDefaults.Security;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every service of the system shares: OpenTelemetry, health checks, service discovery,
/// resilient HTTP clients, problem details, OpenAPI, the clock and the mediator's pipeline behaviours.
/// </summary>
public static class ServiceDefaultsExtensions
{
    private const string LiveTag = "live";

    /// <summary>Adds the defaults to a service; call it first in <c>Program.cs</c>.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        builder.AddApiSecurity();
        builder.Services.AddCallerRateLimit();
        builder.Services.AddOptions<ApiOptions>().BindConfiguration("Api");
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        builder.Services.AddApiDocumentation(builder.Environment.ApplicationName);
        builder.Services.TryAddSingleton(TimeProvider.System);

        // Outermost first: every request is logged, including those validation rejects.
        builder.Services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(LoggingBehavior<,>));
        builder.Services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>));
        return builder;
    }

    private static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetrySources.All))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TelemetrySources.All)
                .AddAspNetCoreInstrumentation(aspNetCore =>
                    aspNetCore.Filter = http => !IsHealthCheck(http.Request.Path))
                .AddHttpClientInstrumentation());

        // The AppHost sets OTEL_EXPORTER_OTLP_ENDPOINT to its dashboard.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
    }

    private static bool IsHealthCheck(PathString path) =>
        path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath);

    private const string HealthPath = "/health";
    private const string AlivePath = "/alive";

    /// <summary>
    /// Maps <c>/health</c> (every check: database, broker, ...; ready to take traffic), <c>/alive</c>
    /// (the process answers), the OpenAPI document and, in development, its Scalar reference at <c>/scalar</c>, all
    /// open to anonymous callers, the exception handler that
    /// answers with problem details, the request body limit (<c>Api:MaxRequestBodyBytes</c>, 413 past it),
    /// authentication and authorisation (<see cref="ApiSecurity"/>) for every other endpoint, and the per-caller rate
    /// limit of the endpoints that ask for it (<see cref="CallerRateLimit"/>, 429 past it).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RequestBodyLimit.Enforce);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapHealthChecks(HealthPath).AllowAnonymous();
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) }).AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapApiReference();
        }

        return app;
    }
}
