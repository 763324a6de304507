using EcommerceEda.EventDocs;

namespace EcommerceEda.Tests.Contracts;

/// <summary>
/// The compatibility rule on schemas exported from real records, as the generator exports contracts: every kind of
/// breaking change is caught and names its field; additive changes pass.
/// </summary>
public sealed class SchemaCompatibilityTests
{
    public enum Colour
    {
        Red,
        Green,
        Blue,
    }

    public enum FewerColours
    {
        Red,
        Green,
    }

    public enum MoreColours
    {
        Red,
        Green,
        Blue,
        Yellow,
    }

    public sealed record Line(string Sku, int Quantity);

    public sealed record LineWithTextQuantity(string Sku, string Quantity);

    public sealed record Published(Guid OrderId, int Quantity, Colour Colour, IReadOnlyList<Line> Lines, string? Note = null);

    public sealed record NoteRemoved(Guid OrderId, int Quantity, Colour Colour, IReadOnlyList<Line> Lines);

    public sealed record QuantityRenamed(Guid OrderId, int Amount, Colour Colour, IReadOnlyList<Line> Lines, string? Note = null);

    public sealed record QuantityAsText(Guid OrderId, string Quantity, Colour Colour, IReadOnlyList<Line> Lines, string? Note = null);

    public sealed record NoteRequired(Guid OrderId, int Quantity, Colour Colour, IReadOnlyList<Line> Lines, string? Note);

    public sealed record ColourNarrowed(Guid OrderId, int Quantity, FewerColours Colour, IReadOnlyList<Line> Lines, string? Note = null);

    public sealed record LineQuantityAsText(Guid OrderId, int Quantity, Colour Colour, IReadOnlyList<LineWithTextQuantity> Lines, string? Note = null);

    public sealed record OrderIdAsText(string OrderId, int Quantity, Colour Colour, IReadOnlyList<Line> Lines, string? Note = null);

    public sealed record RequiredFieldAdded(Guid OrderId, int Quantity, Colour Colour, IReadOnlyList<Line> Lines, string Channel, string? Note = null);

    public sealed record QuantityOptional(Guid OrderId, Colour Colour, IReadOnlyList<Line> Lines, string? Note = null, int Quantity = 1);

    public sealed record QuantityNullable(Guid OrderId, int? Quantity, Colour Colour, IReadOnlyList<Line> Lines, string? Note = null);

    public sealed record QuantityRestricted(Guid OrderId, Colour Quantity, Colour Colour, IReadOnlyList<Line> Lines, string? Note = null);

    public sealed record FieldAndColourAdded(Guid OrderId, int Quantity, MoreColours Colour, IReadOnlyList<Line> Lines, string? Note = null, string? Channel = null);

    [Theory]
    [InlineData(typeof(NoteRemoved), "note: removed (or renamed)")]
    [InlineData(typeof(QuantityRenamed), "quantity: removed (or renamed)")]
    [InlineData(typeof(QuantityRenamed), "amount: added as required (messages published before lack it: give it a default)")]
    [InlineData(typeof(QuantityAsText), "quantity: type changed from integer to string")]
    [InlineData(typeof(NoteRequired), "note: optional before, required now")]
    [InlineData(typeof(ColourNarrowed), "colour: enum value 2 (Blue) removed")]
    [InlineData(typeof(LineQuantityAsText), "lines[].quantity: type changed from integer to string")]
    [InlineData(typeof(OrderIdAsText), "orderId: format changed from uuid to none")]
    [InlineData(typeof(RequiredFieldAdded), "channel: added as required (messages published before lack it: give it a default)")]
    [InlineData(typeof(QuantityOptional), "quantity: required before, optional now")]
    [InlineData(typeof(QuantityNullable), "quantity: type changed from integer to integer|null")]
    [InlineData(typeof(QuantityRestricted), "quantity: restricted to the enum values 0, 1, 2")]
    public void A_breaking_change_is_caught_and_names_the_field(Type current, string change) =>
        Assert.Contains(change, SchemaCompatibility.BreakingChanges(MessageSchemas.Of(typeof(Published)), MessageSchemas.Of(current)));

    [Fact]
    public void A_new_optional_field_and_a_new_enum_value_are_compatible() =>
        Assert.Empty(SchemaCompatibility.BreakingChanges(MessageSchemas.Of(typeof(Published)), MessageSchemas.Of(typeof(FieldAndColourAdded))));

    [Fact]
    public void An_unchanged_schema_is_compatible() =>
        Assert.Empty(SchemaCompatibility.BreakingChanges(MessageSchemas.Of(typeof(Published)), MessageSchemas.Of(typeof(Published))));
}
