using System.Buffers.Text;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.UserSecrets;

namespace EcommerceEda.AppHost.Security;

/// <summary>
/// The tokens the services accept in development: HS256 JWTs issued by <c>dotnet user-jwts</c> for the audience
/// <see cref="Audience"/>, signed with the key that tool keeps in the AppHost's user secrets
/// (<see cref="SigningKeyConfiguration"/>). The AppHost creates the key there on its first run, so the tool and the
/// services share it; tests and the load harness mint their own tokens with <see cref="Create"/>.
/// </summary>
public static class DevelopmentTokens
{
    public const string Issuer = "dotnet-user-jwts";

    public const string Audience = "ecommerce-eda";

    /// <summary>Where <c>dotnet user-jwts</c> keeps its signing key (base64, 32 bytes).</summary>
    public const string SigningKeyConfiguration = "Authentication:Schemes:Bearer:SigningKeys:0:Value";

    private const string SigningKeysSecret = "Authentication:Schemes:Bearer:SigningKeys";

    /// <summary>
    /// The signing key as a secret parameter. When the AppHost runs, it is the key <c>dotnet user-jwts</c> signs
    /// with: the configuration's (<c>--Authentication:Schemes:Bearer:SigningKeys:0:Value=...</c> on the command line,
    /// or the user secrets in Development), else the one in the AppHost's user secrets file, else a new one written
    /// there. Published, the key is a parameter of the deployment: the file is neither read nor written.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddTokenSigningKey(this IDistributedApplicationBuilder builder) =>
        builder.AddTokenSigningKey(PathHelper.GetSecretsPathFromSecretsId(
            typeof(DevelopmentTokens).Assembly.GetCustomAttribute<UserSecretsIdAttribute>()!.UserSecretsId));

    /// <inheritdoc cref="AddTokenSigningKey(IDistributedApplicationBuilder)"/>
    /// <param name="builder">The AppHost's builder.</param>
    /// <param name="userSecretsPath">The <c>secrets.json</c> that <c>dotnet user-jwts</c> keeps its key in.</param>
    public static IResourceBuilder<ParameterResource> AddTokenSigningKey(
        this IDistributedApplicationBuilder builder, string userSecretsPath)
    {
        if (builder.ExecutionContext.IsRunMode && string.IsNullOrEmpty(builder.Configuration[SigningKeyConfiguration]))
        {
            builder.Configuration[SigningKeyConfiguration] = SavedKey(userSecretsPath) ?? SaveNewKey(userSecretsPath);
        }

        return builder.AddParameterFromConfiguration("jwt-signing-key", SigningKeyConfiguration, secret: true);
    }

    /// <summary>The settings a service validates tokens with (<c>Authentication:Schemes:Bearer</c>), as environment variables.</summary>
    public static IResourceBuilder<ProjectResource> WithTokenValidation(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ParameterResource> signingKey) =>
        service
            .WithEnvironment("Authentication__Schemes__Bearer__ValidIssuer", Issuer)
            .WithEnvironment("Authentication__Schemes__Bearer__ValidAudiences__0", Audience)
            .WithEnvironment("Authentication__Schemes__Bearer__SigningKeys__0__Issuer", Issuer)
            .WithEnvironment("Authentication__Schemes__Bearer__SigningKeys__0__Value", signingKey);

    /// <summary>A token for <paramref name="subject"/> in <paramref name="roles"/>, as <c>dotnet user-jwts create</c> issues one.</summary>
    public static string Create(
        string signingKey, string subject, IEnumerable<string> roles, TimeSpan lifetime, string audience = Audience)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" });
        var payload = Encode(new JsonObject
        {
            ["sub"] = subject,
            ["role"] = new JsonArray([.. roles.Select(role => JsonValue.Create(role))]),
            ["aud"] = audience,
            ["iss"] = Issuer,
            ["nbf"] = now,
            ["iat"] = now,
            ["exp"] = now + (long)lifetime.TotalSeconds,
            ["jti"] = Guid.NewGuid().ToString("N"),
        });
        var signature = HMACSHA256.HashData(Convert.FromBase64String(signingKey), Encoding.ASCII.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Base64Url.EncodeToString(signature)}";
    }

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    // The key in the secrets file in either form: nested, as dotnet user-jwts writes it, or flat, as Aspire rewrites
    // the whole file when it saves a secret of its own. Read here too because the configuration holds the user secrets
    // only in Development.
    private static string? SavedKey(string path) =>
        new ConfigurationBuilder().AddJsonFile(path, optional: true).Build()[SigningKeyConfiguration];

    // A new key in the secrets file, as dotnet user-jwts writes it.
    private static string SaveNewKey(string path)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var secrets = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : [];
        secrets[SigningKeysSecret] = new JsonArray(new JsonObject
        {
            ["Id"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
            ["Issuer"] = Issuer,
            ["Value"] = key,
            ["Length"] = 32,
        });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, secrets.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return key;
    }
}
