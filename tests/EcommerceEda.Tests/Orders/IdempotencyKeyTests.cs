using EcommerceEda.Messaging.Idempotency;

namespace EcommerceEda.Tests.Orders;

public sealed class IdempotencyKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("order-2026_11_27")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void Accepts_1_to_64_letters_digits_dashes_and_underscores(string value)
    {
        Assert.True(IdempotencyKey.TryParse(value, out var key));
        Assert.Equal(value, key.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a.b")]
    [InlineData("a/b")]
    [InlineData("ключ")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234")]
    public void Refuses_anything_else(string? value) => Assert.False(IdempotencyKey.TryParse(value, out _));
}
