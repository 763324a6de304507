using System.Text.Json.Nodes;
using Aspire.Hosting;
using EcommerceEda.AppHost.Security;
using Microsoft.Extensions.Configuration;

namespace EcommerceEda.Tests.Security;

/// <summary>
/// The AppHost and <c>dotnet user-jwts</c> share one signing key in the AppHost's user secrets, whichever of them
/// comes first and in whichever form the file holds it; publishing the AppHost leaves the file alone.
/// </summary>
public sealed class DevelopmentTokensTests : IDisposable
{
    private const string Key = "Q2k4dW5lLXNpZ25pbmcta2V5LW9mLTMyLWJ5dGVzISE=";

    private readonly string _secretsPath = Path.Combine(Path.GetTempPath(), $"user-secrets-{Guid.NewGuid():N}", "secrets.json");

    // As dotnet user-jwts writes it.
    private static readonly string Nested = $$"""
        {"Authentication:Schemes:Bearer:SigningKeys":[{"Id":"f59942c1","Issuer":"dotnet-user-jwts","Value":"{{Key}}","Length":32}]}
        """;

    // As Aspire rewrites the whole file when it saves a secret of its own (a generated password, its version check).
    private static readonly string Flat = $$"""
        {
          "Parameters:postgres-password": "1upX1VdMfxcgMujza8cByMq1",
          "Authentication:Schemes:Bearer:SigningKeys:0:Value": "{{Key}}",
          "Authentication:Schemes:Bearer:SigningKeys:0:Length": "32",
          "Authentication:Schemes:Bearer:SigningKeys:0:Issuer": "dotnet-user-jwts",
          "Authentication:Schemes:Bearer:SigningKeys:0:Id": "f59942c1",
          "Aspire:VersionCheck:LastCheckDate": "2026-12-05T06:07:02.5595577+00:00"
        }
        """;

    public static TheoryData<string> SecretsFiles => new(Nested, Flat);

    [Fact]
    public void A_first_run_writes_a_new_key_where_dotnet_user_jwts_looks_for_it()
    {
        var builder = DistributedApplication.CreateBuilder([]);

        builder.AddTokenSigningKey(_secretsPath);

        var key = builder.Configuration[DevelopmentTokens.SigningKeyConfiguration];
        Assert.Equal(32, Convert.FromBase64String(key!).Length);
        var signingKeys = JsonNode.Parse(File.ReadAllText(_secretsPath))!["Authentication:Schemes:Bearer:SigningKeys"]!.AsArray();
        Assert.Equal(key, Assert.Single(signingKeys)!["Value"]!.GetValue<string>());
        Assert.Equal(DevelopmentTokens.Issuer, signingKeys[0]!["Issuer"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(SecretsFiles))]
    public void A_run_signs_with_the_key_in_the_secrets_file_and_leaves_the_file_as_it_is(string secrets)
    {
        Write(secrets);
        var builder = DistributedApplication.CreateBuilder([]);

        builder.AddTokenSigningKey(_secretsPath);

        Assert.Equal(Key, builder.Configuration[DevelopmentTokens.SigningKeyConfiguration]);
        Assert.Equal(secrets, File.ReadAllText(_secretsPath));
        Assert.Equal(Key, new ConfigurationBuilder().AddJsonFile(_secretsPath).Build()[DevelopmentTokens.SigningKeyConfiguration]);
    }

    [Fact]
    public void A_key_on_the_command_line_wins_and_no_file_is_written()
    {
        var builder = DistributedApplication.CreateBuilder([$"--{DevelopmentTokens.SigningKeyConfiguration}={Key}"]);

        builder.AddTokenSigningKey(_secretsPath);

        Assert.Equal(Key, builder.Configuration[DevelopmentTokens.SigningKeyConfiguration]);
        Assert.False(File.Exists(_secretsPath));
    }

    [Fact]
    public void Publishing_neither_reads_nor_writes_the_secrets_file()
    {
        var publish = new[] { "--publisher", "manifest", "--output-path", Path.GetTempPath() };
        var withoutFile = DistributedApplication.CreateBuilder(publish);
        withoutFile.AddTokenSigningKey(_secretsPath);
        Assert.False(File.Exists(_secretsPath));

        Write(Flat);
        var withFile = DistributedApplication.CreateBuilder(publish);
        withFile.AddTokenSigningKey(_secretsPath);

        Assert.True(withFile.ExecutionContext.IsPublishMode);
        Assert.Null(withFile.Configuration[DevelopmentTokens.SigningKeyConfiguration]);
        Assert.Equal(Flat, File.ReadAllText(_secretsPath));
    }

    public void Dispose()
    {
        var directory = Path.GetDirectoryName(_secretsPath)!;
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private void Write(string secrets)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_secretsPath)!);
        File.WriteAllText(_secretsPath, secrets);
    }
}
