using EcommerceEda.Warehouse.Features.ReserveStock;

namespace EcommerceEda.Tests.Warehouse;

public sealed class ReservationTests
{
    [Fact]
    public void Reserves_when_every_sku_has_enough_available()
    {
        var shortfalls = Reservation.Shortfalls(
            [new RequestedStock("A", 2), new RequestedStock("B", 5)],
            [new StockLevel("A", OnHand: 3, Reserved: 1), new StockLevel("B", OnHand: 5, Reserved: 0)]);

        Assert.Empty(shortfalls);
    }

    [Fact]
    public void Names_each_sku_that_lacks_stock_and_how_much_is_available()
    {
        var shortfalls = Reservation.Shortfalls(
            [new RequestedStock("A", 3), new RequestedStock("B", 1), new RequestedStock("C", 1)],
            [new StockLevel("A", OnHand: 3, Reserved: 1), new StockLevel("B", OnHand: 1, Reserved: 0)]);

        Assert.Equal([new Shortfall("A", 3, 2), new Shortfall("C", 1, 0)], shortfalls);
    }

    [Fact]
    public void Adds_up_lines_of_the_same_sku()
    {
        var perSku = Reservation.PerSku([new RequestedStock("B", 1), new RequestedStock("A", 2), new RequestedStock("B", 3)]);

        Assert.Equal([new RequestedStock("A", 2), new RequestedStock("B", 4)], perSku);
    }
}
