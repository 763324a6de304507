using System.Net.Http.Headers;
using System.Security.Cryptography;
using EcommerceEda.AppHost.Security;
using EcommerceEda.ServiceDefaults.Security;

namespace EcommerceEda.Tests.Infrastructure;

/// <summary>The tests' own signing key, the settings that make a service accept it, and tokens signed with it.</summary>
public static class TestTokens
{
    public static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>How a service validates tokens, as the AppHost configures it, with the tests' key.</summary>
    public static IReadOnlyDictionary<string, string?> ValidationSettings { get; } = new Dictionary<string, string?>
    {
        ["Authentication:Schemes:Bearer:ValidIssuer"] = DevelopmentTokens.Issuer,
        ["Authentication:Schemes:Bearer:ValidAudiences:0"] = DevelopmentTokens.Audience,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = DevelopmentTokens.Issuer,
        ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = SigningKey,
    };

    /// <summary>A token of <paramref name="subject"/> in <paramref name="role"/>.</summary>
    public static string For(string role, string subject = "tester", string? signingKey = null) =>
        DevelopmentTokens.Create(signingKey ?? SigningKey, subject, [role], TimeSpan.FromHours(1));

    /// <summary>Makes every request of <paramref name="client"/> carry a token of <paramref name="subject"/> in <paramref name="role"/>.</summary>
    public static HttpClient As(this HttpClient client, string role, string subject = "tester", string? signingKey = null)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", For(role, subject, signingKey));
        return client;
    }

    /// <summary>As an operator: <c>/ops</c> and every read.</summary>
    public static HttpClient AsOperator(this HttpClient client) => client.As(Roles.Operator);
}
