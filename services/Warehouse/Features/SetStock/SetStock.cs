using Dapper;
using EcommerceEda.ServiceDefaults.Requests;
using Mediator;
using Npgsql;

namespace EcommerceEda.Warehouse.Features.SetStock;

/// <summary>The body of <c>PUT /api/stock/{sku}</c>.</summary>
public sealed record SetStockRequest(int? OnHand);

/// <summary>Set how many units of a SKU are on hand; reservations already made stay.</summary>
public sealed record SetStock(string Sku, int? OnHand) : ICommand<SetStockResult>, IValidatable
{
    public const int MaxOnHand = 1_000_000;

    public IEnumerable<ValidationError> Validate()
    {
        if (!Sku.IsValidSku())
        {
            yield return new("sku", "1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.");
        }

        if (OnHand is null or < 0 or > MaxOnHand)
        {
            yield return new("onHand", $"Required: a whole number from 0 to {MaxOnHand}.");
        }
    }
}

/// <summary>The stock after the change, or, when <see cref="BelowReserved"/>, the stock unchanged.</summary>
public sealed record SetStockResult(StockView Stock, bool BelowReserved);

public sealed class SetStockHandler(NpgsqlDataSource db, TimeProvider clock) : ICommandHandler<SetStock, SetStockResult>
{
    // The WHERE leaves a row whose reservations exceed the new count untouched: nothing is returned then.
    private const string UpsertSql = """
        INSERT INTO stock (sku, on_hand, reserved, updated_at) VALUES (@Sku, @OnHand, 0, @At)
        ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, updated_at = excluded.updated_at
        WHERE stock.reserved <= excluded.on_hand
        RETURNING sku AS Sku, on_hand AS OnHand, reserved AS Reserved
        """;

    public async ValueTask<SetStockResult> Handle(SetStock command, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var changed = await connection.QuerySingleOrDefaultAsync<StockView>(new CommandDefinition(
            UpsertSql, new { command.Sku, command.OnHand, At = clock.GetUtcNow() }, cancellationToken: cancellationToken));
        if (changed is not null)
        {
            return new SetStockResult(changed, BelowReserved: false);
        }

        var current = await connection.QuerySingleAsync<StockView>(new CommandDefinition(
            StockView.SelectSql, new { command.Sku }, cancellationToken: cancellationToken));
        return new SetStockResult(current, BelowReserved: true);
    }
}
