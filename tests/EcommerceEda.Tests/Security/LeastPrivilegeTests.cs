using System.Text;
using Dapper;
using EcommerceEda.AppHost.Infrastructure;
using EcommerceEda.EventDocs;
using EcommerceEda.Tests.Infrastructure;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace EcommerceEda.Tests.Security;

/// <summary>
/// Each service talks to the broker as its own user, with the permissions the AppHost grants
/// (<see cref="BrokerAccount"/>), and to PostgreSQL as its own role, owner of its database only
/// (<see cref="ServiceDatabases"/>): the rest of the suite shows they are enough; these show what they refuse.
/// </summary>
public sealed class LeastPrivilegeTests(TestSystem system) : IClassFixture<TestSystem>
{
    private const int AccessRefused = 403;

    [Fact]
    public async Task Warehouse_role_may_not_connect_to_the_Orders_database()
    {
        await using var connection = new NpgsqlConnection(system.DatabaseAs("orders", role: "warehouse"));

        var refusal = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(TestContext.Current.CancellationToken));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refusal.SqlState);
        Assert.Contains("permission denied for database", refusal.MessageText);
        await using var own = new NpgsqlConnection(system.DatabaseAs("warehouse", role: "warehouse"));
        await own.OpenAsync(TestContext.Current.CancellationToken);
        Assert.True(await own.ExecuteScalarAsync<long>("SELECT count(*) FROM stock") >= 0);
    }

    [Fact]
    public async Task A_database_an_earlier_version_made_as_the_superuser_is_handed_over_with_its_objects()
    {
        var database = $"legacy_{Guid.NewGuid():N}";
        await using (var server = new NpgsqlConnection(system.Infrastructure.DatabaseConnectionString("postgres")))
        {
            await server.ExecuteAsync($"CREATE DATABASE {database}");
        }

        await using (var legacy = new NpgsqlConnection(system.Infrastructure.DatabaseConnectionString(database)))
        {
            await legacy.ExecuteAsync("""
                CREATE TABLE schemaversions (id serial PRIMARY KEY, name text);
                CREATE SEQUENCE hits;
                CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42';
                """);
        }

        await system.Infrastructure.CreateServiceDatabaseAsync(database, "warehouse");

        await using var asWarehouse = new NpgsqlConnection(system.Infrastructure.ServiceDatabaseConnectionString(database, "warehouse"));
        await asWarehouse.ExecuteAsync("INSERT INTO schemaversions (name) VALUES ('0001'); SELECT nextval('hits'); ALTER FUNCTION answer() RENAME TO answered");
        Assert.Equal(1, await asWarehouse.ExecuteScalarAsync<int>("SELECT count(*) FROM schemaversions"));
    }

    [Theory]
    [MemberData(nameof(TestSystem.ServiceNames), MemberType = typeof(TestSystem))]
    public async Task A_service_role_owns_its_database_and_has_no_other_power(string service)
    {
        await using var connection = new NpgsqlConnection(system.Database(service));

        var role = await connection.QuerySingleAsync<(bool Super, bool CreateDb, bool CreateRole, string Owner)>("""
            SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, pg_get_userbyid(d.datdba)::text
            FROM pg_roles r, pg_database d WHERE r.rolname = @service AND d.datname = current_database()
            """, new { service });

        Assert.Equal((false, false, false, service), role);
        Assert.Equal(service, await connection.ExecuteScalarAsync<string>(
            "SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE relname = 'outbox_messages'"));
    }

    [Fact]
    public async Task Warehouse_may_not_publish_an_event_Orders_owns()
    {
        var refusal = await RefusalAsync("warehouse", channel => PublishAsync(channel, "orders:order-placed:v1"));

        Assert.Contains("access to exchange 'orders:order-placed:v1'", refusal);
        Assert.Null(await ErrorAsync("warehouse", async channel => // a name of its own, routed nowhere
        {
            await channel.ExchangeDeclareAsync("warehouse-probe", ExchangeType.Fanout, durable: false, autoDelete: true);
            await PublishAsync(channel, "warehouse-probe");
        }));
    }

    [Fact]
    public async Task Warehouse_may_not_consume_an_Orders_queue()
    {
        var refusal = await RefusalAsync("warehouse", channel => channel.BasicGetAsync("orders-fulfillment", autoAck: false));

        Assert.Contains("access to queue 'orders-fulfillment'", refusal);
        Assert.Null(await ErrorAsync("warehouse", channel => channel.BasicGetAsync("warehouse-pick-order", autoAck: false)));
    }

    [Theory]
    [InlineData("warehouse", "delivery-ship-order")]
    [InlineData("support", "warehouse-reserve-stock")]
    [InlineData("delivery", "orders-fulfillment")]
    public async Task A_service_may_send_only_the_commands_it_is_granted(string service, string commandExchange)
    {
        var refusal = await RefusalAsync(service, channel => PublishAsync(channel, commandExchange));

        Assert.Contains($"access to exchange '{commandExchange}'", refusal);
    }

    [Theory]
    [MemberData(nameof(TestSystem.ServiceNames), MemberType = typeof(TestSystem))]
    public async Task No_service_may_publish_through_the_default_exchange_which_reaches_every_queue(string service)
    {
        var refusal = await RefusalAsync(service, channel => PublishAsync(channel, "", routingKey: "orders-fulfillment"));

        Assert.Contains("access to exchange 'amq.default'", refusal);
    }

    [Fact]
    public void Each_service_is_granted_exactly_the_commands_its_code_sends_and_owns_what_it_publishes()
    {
        foreach (var service in SystemModel.Read().Services)
        {
            var account = BrokerAccount.For(service.Name);
            var sentToOthers = service.Sends
                .Select(command => command.Exchange)
                .Where(exchange => !exchange.StartsWith($"{service.Name}-", StringComparison.Ordinal));
            Assert.Equal(sentToOthers.Order(StringComparer.Ordinal), account.Sends.Order(StringComparer.Ordinal));
            Assert.All(service.Publishes, message => Assert.Equal(service.Name, message.Owner));
        }
    }

    private static async Task PublishAsync(IChannel channel, string exchange, string routingKey = "") =>
        await channel.BasicPublishAsync(
            exchange, routingKey, mandatory: false, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes("{}"));

    /// <summary>The broker's reason for closing the channel on <paramref name="action"/>, which must be ACCESS_REFUSED.</summary>
    private async Task<string> RefusalAsync(string service, Func<IChannel, Task> action)
    {
        var error = await ErrorAsync(service, action);
        Assert.NotNull(error);
        Assert.Equal(AccessRefused, error.ReplyCode);
        Assert.StartsWith("ACCESS_REFUSED", error.ReplyText, StringComparison.Ordinal);
        return error.ReplyText;
    }

    /// <summary>
    /// Runs <paramref name="action"/> as <paramref name="service"/>'s user on a channel with publisher confirms (so a
    /// refused publish fails before the call returns), and returns why the broker closed the channel, or null.
    /// </summary>
    private async Task<ShutdownEventArgs?> ErrorAsync(string service, Func<IChannel, Task> action)
    {
        var factory = new ConnectionFactory { Uri = new Uri(system.Infrastructure.ServiceBrokerUri(system.VirtualHost, service)) };
        await using var connection = await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            TestContext.Current.CancellationToken);
        try
        {
            await action(channel);
            return null;
        }
        catch (Exception) when (channel.CloseReason is not null)
        {
            return channel.CloseReason;
        }
    }
}
