using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EcommerceEda.AppHost.Infrastructure;

/// <summary>A service's broker account with its password.</summary>
public sealed record BrokerLogin(BrokerAccount Account, string Password);

/// <summary>
/// RabbitMQ's definitions file (https://www.rabbitmq.com/docs/definitions), imported at every boot: the administrator
/// (the AppHost's health checks, the dashboard's operators, the tests and load tests) and one user per service with
/// its <see cref="BrokerAccount"/> permissions on the default virtual host. Services use only their own user.
/// </summary>
public static class BrokerDefinitions
{
    /// <summary>A service may read the management API (its queues' statistics), only for virtual hosts it has permissions on.</summary>
    public const string ServiceTags = "management";

    public static string Json(string administrator, string administratorPassword, IReadOnlyList<BrokerLogin> services) =>
        JsonSerializer.Serialize(new
        {
            users = (object[])
            [
                User(administrator, administratorPassword, "administrator"),
                .. services.Select(login => User(login.Account.User, login.Password, ServiceTags)),
            ],
            vhosts = new[] { new { name = "/" } },
            permissions = (object[])
            [
                new { user = administrator, vhost = "/", configure = ".*", write = ".*", read = ".*" },
                .. services.Select(login => new
                {
                    user = login.Account.User,
                    vhost = "/",
                    configure = login.Account.Configure,
                    write = login.Account.Write,
                    read = login.Account.Read,
                }),
            ],
        });

    /// <summary>RabbitMQ stores salted SHA-256 hashes: base64(salt ++ sha256(salt ++ password)).</summary>
    private static object User(string name, string password, string tags)
    {
        var salt = RandomNumberGenerator.GetBytes(4);
        byte[] hash = [.. salt, .. SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(password)])];
        return new
        {
            name,
            password_hash = Convert.ToBase64String(hash),
            hashing_algorithm = "rabbit_password_hashing_sha256",
            tags = new[] { tags },
        };
    }
}
