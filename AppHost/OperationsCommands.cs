using System.Net.Http.Headers;
using EcommerceEda.AppHost.Security;

namespace EcommerceEda.AppHost;

/// <summary>Commands an operator runs on a service from the Aspire dashboard.</summary>
public static class OperationsCommands
{
    /// <summary>The name of the redrive command.</summary>
    public const string Redrive = "redrive-dead-letters";

    /// <summary>
    /// "Redrive dead letters": moves every dead letter of the service back to its queue, through the same
    /// <c>POST /ops/dead-letters/redrive</c> an operator would call, with a short-lived operator token of its own.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRedriveCommand(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ParameterResource> signingKey) =>
        service.WithHttpCommand(
            "/ops/dead-letters/redrive",
            "Redrive dead letters",
            commandName: Redrive,
            commandOptions: new HttpCommandOptions
            {
                Method = HttpMethod.Post,
                Description = "Move every message of this service's dead-letter queues back to its queue",
                ConfirmationMessage = "Move every dead letter back to its queue?",
                IconName = "ArrowRedo",
                PrepareRequest = async context => context.Request.Headers.Authorization = new AuthenticationHeaderValue(
                    "Bearer",
                    DevelopmentTokens.Create(
                        await signingKey.Resource.GetValueAsync(context.CancellationToken) ?? "",
                        subject: "aspire-dashboard",
                        roles: ["operator"],
                        lifetime: TimeSpan.FromMinutes(5))),
            });
}
