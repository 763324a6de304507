using EcommerceEda.Support.Contracts;
using EcommerceEda.Support.Features.FollowUps;
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
    }
}
