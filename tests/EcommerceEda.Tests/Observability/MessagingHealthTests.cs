using Dapper;
using EcommerceEda.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace EcommerceEda.Tests.Observability;

/// <summary>A system whose services report degraded once a due message waits two seconds in an outbox.</summary>
public sealed class ImpatientHealthSystem(TestInfrastructure infrastructure) : TestSystem(infrastructure)
{
    protected override IReadOnlyDictionary<string, string?> SettingOverrides =>
        new Dictionary<string, string?> { ["Messaging:Health:MaxOutboxLag"] = "00:00:02" };
}

/// <summary><c>/health</c> says degraded, and why, while an outbox falls behind or a dead-letter queue fills.</summary>
public sealed class MessagingHealthTests(ImpatientHealthSystem system) : IClassFixture<ImpatientHealthSystem>
{
    private const string Queue = "delivery-ship-order";

    [Fact]
    public async Task A_service_is_degraded_while_its_outbox_lags_and_while_its_dead_letter_queue_holds_messages()
    {
        Assert.Equal(HealthStatus.Healthy, (await MessagingHealthAsync()).Status);

        // A message the relay cannot publish (a type this version does not know), written a minute ago.
        var stuck = Guid.CreateVersion7();
        await using (var delivery = new NpgsqlConnection(system.Database("delivery")))
        {
            await delivery.ExecuteAsync(
                """
                INSERT INTO outbox_messages (id, message_type, body, created_at, not_before)
                VALUES (@Id, 'urn:message:delivery:from-the-future:v9', '{}', now() - interval '1 minute', now() - interval '1 minute')
                """,
                new { Id = stuck });
        }

        var lagging = await Eventually.Until(MessagingHealthAsync, health => health.Status == HealthStatus.Degraded);
        Assert.StartsWith("outbox lag: the oldest due message has waited", lagging.Description);
        Assert.Equal("Degraded", await HealthAsync());

        await system.ScalarAsync<int>("delivery", "DELETE FROM outbox_messages WHERE id = @Id", new { Id = stuck });
        await Eventually.Until(MessagingHealthAsync, health => health.Status == HealthStatus.Healthy);

        await BrokerProbe.PublishRawAsync(system.BrokerUri, Queue, "{ this is not json", "application/vnd.masstransit+json");

        var filling = await Eventually.Until(MessagingHealthAsync, health => health.Status == HealthStatus.Degraded);
        Assert.Equal($"dead-letter queue {Queue}_error: 1 (limit 0)", filling.Description);
        Assert.Equal(1L, filling.Data[$"deadLetters:{Queue}_error"]);
    }

    private async Task<HealthReportEntry> MessagingHealthAsync()
    {
        var report = await system.Delivery.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(check => check.Name == "messaging", TestContext.Current.CancellationToken);
        return report.Entries["messaging"];
    }

    private async Task<string> HealthAsync()
    {
        using var client = system.Delivery.CreateClient();
        return await client.GetStringAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
    }
}
