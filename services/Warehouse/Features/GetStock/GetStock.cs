using Dapper;
using Mediator;
using Npgsql;

namespace EcommerceEda.Warehouse.Features.GetStock;

/// <summary>The stock of one SKU.</summary>
public sealed record GetStock(string Sku) : IQuery<StockView?>;

public sealed class GetStockHandler(NpgsqlDataSource db) : IQueryHandler<GetStock, StockView?>
{
    public async ValueTask<StockView?> Handle(GetStock query, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StockView>(
            new CommandDefinition(StockView.SelectSql, query, cancellationToken: cancellationToken));
    }
}
