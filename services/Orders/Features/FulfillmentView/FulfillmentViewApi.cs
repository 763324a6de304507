using System.Reflection;

namespace EcommerceEda.Orders.Features.FulfillmentView;

/// <summary>
/// The saga view, after the Step Functions console: a page at <c>/fulfillment</c> that draws the fulfillment state
/// machine and follows one order through it (its data comes from <c>GET /api/orders/{orderId}/execution</c>, which
/// wants the order's customer or an operator). The page and the graph describe the code, so, like the API document,
/// they are open to anyone; they are the page's own, not part of the API document.
/// </summary>
public static class FulfillmentViewApi
{
    private static readonly Dictionary<string, (string ContentType, string Resource)> Files = new()
    {
        ["/fulfillment"] = ("text/html; charset=utf-8", "index.html"),
        ["/fulfillment/view.js"] = ("text/javascript; charset=utf-8", "view.js"),
        ["/fulfillment/view.css"] = ("text/css; charset=utf-8", "view.css"),
        ["/fulfillment/icon.svg"] = ("image/svg+xml", "icon.svg"),
    };

    public static IEndpointRouteBuilder MapFulfillmentView(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/fulfillment/graph", (FulfillmentGraph graph) => TypedResults.Ok(graph))
            .AllowAnonymous().ExcludeFromDescription();
        foreach (var (path, (contentType, resource)) in Files)
        {
            var content = Read(resource);
            app.MapGet(path, (HttpContext context) =>
            {
                context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
                return TypedResults.Text(content, contentType);
            }).AllowAnonymous().ExcludeFromDescription();
        }

        return app;
    }

    private static string Read(string resource)
    {
        var assembly = Assembly.GetExecutingAssembly();
        using var stream = assembly.GetManifestResourceStream($"{typeof(FulfillmentViewApi).Namespace}.Page.{resource}")
            ?? throw new InvalidOperationException($"The page's {resource} is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
