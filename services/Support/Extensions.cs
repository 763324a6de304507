using EcommerceEda.ServiceDefaults.OpenApi;
using EcommerceEda.Support.Contracts;
using EcommerceEda.Support.Features.FollowUps;
using EcommerceEda.Support.Features.Returns;
using EcommerceEda.Support.Features.Timeline;

namespace EcommerceEda.Support;

public static class Extensions
{
    /// <summary>The Support service: its database and migrations, messaging, and request handlers.</summary>
    public static void AddSupport(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase("support-db", typeof(Extensions).Assembly);
        builder.AddMessaging("support", messaging => messaging
            .ReadsStream<TimelineProjection>(TimelineProjection.Reader)
            .Consumes<PriorityFollowUpConsumer>(subscription => subscription.Pattern = PriorityFollowUpConsumer.Pattern)
            .Publishes<ReturnRequested>()
            .Publishes<ReturnReceived>());
        builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Scoped);
        builder.Services.AddApiExample(new RequestReturnRequest(Guid.Parse("0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"), "The wrong size."));
    }
}
