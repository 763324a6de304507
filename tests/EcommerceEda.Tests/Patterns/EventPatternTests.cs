using EcommerceEda.Messaging.Patterns;

namespace EcommerceEda.Tests.Patterns;

/// <summary>
/// The matcher against EventBridge's documented semantics, on the example event of its documentation
/// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html)
/// and on this system's own envelope.
/// </summary>
public sealed class EventPatternTests
{
    private const string Ec2Event = """
        {
          "version": "0",
          "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
          "detail-type": "EC2 Instance State-change Notification",
          "source": "aws.ec2",
          "account": "111122223333",
          "time": "2017-12-22T18:43:48Z",
          "region": "us-west-1",
          "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
          "detail": {
            "instance-id": "i-1234567890abcdef0",
            "state": "terminated",
            "c-count": 5,
            "d-count": 3,
            "x-limit": 301.8,
            "nothing": null
          }
        }
        """;

    private const string OrderPlacedEnvelope = """
        {
          "source": "orders",
          "detail-type": "OrderPlaced",
          "detail": {
            "metadata": { "eventId": "0190a1b2-0000-7000-8000-000000000001", "source": "orders", "schemaVersion": 1 },
            "data": {
              "currency": "NZD",
              "total": 1250.40,
              "lines": [{ "sku": "TEA-1", "quantity": 2 }, { "sku": "CUP-9", "quantity": 1 }],
              "shippingAddress": { "city": "Auckland", "country": "NZ" }
            }
          }
        }
        """;

    [Theory]
    // Exact values: any of the leaf's values; every field of the pattern; fields it leaves out are ignored.
    [InlineData("""{"source": ["aws.ec2"]}""", true)]
    [InlineData("""{"source": ["aws.s3"]}""", false)]
    [InlineData("""{"detail": {"state": ["running", "terminated"]}}""", true)]
    [InlineData("""{"source": ["aws.ec2"], "detail": {"state": ["running"]}}""", false)]
    [InlineData("""{"detail": {"missing": ["x"]}}""", false)]
    [InlineData("""{"detail": {"c-count": [5]}}""", true)]
    [InlineData("""{"detail": {"c-count": [5.0]}}""", true)]
    [InlineData("""{"detail": {"c-count": ["5"]}}""", false)]
    [InlineData("""{"detail": {"nothing": [null]}}""", true)]
    // An array in the event matches when any element matches.
    [InlineData("""{"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}""", true)]
    // prefix, suffix, with or without case.
    [InlineData("""{"time": [{"prefix": "2017-12-22"}]}""", true)]
    [InlineData("""{"region": [{"prefix": "eu-"}]}""", false)]
    [InlineData("""{"detail": {"state": [{"prefix": {"equals-ignore-case": "TERM"}}]}}""", true)]
    [InlineData("""{"detail": {"state": [{"prefix": "TERM"}]}}""", false)]
    [InlineData("""{"detail": {"instance-id": [{"suffix": "def0"}]}}""", true)]
    [InlineData("""{"detail": {"instance-id": [{"suffix": {"equals-ignore-case": "DEF0"}}]}}""", true)]
    [InlineData("""{"detail": {"instance-id": [{"suffix": "DEF0"}]}}""", false)]
    [InlineData("""{"detail": {"state": [{"equals-ignore-case": "TERMINATED"}]}}""", true)]
    // wildcard
    [InlineData("""{"region": [{"wildcard": "us-*-1"}]}""", true)]
    [InlineData("""{"region": [{"wildcard": "eu-*"}]}""", false)]
    [InlineData("""{"detail-type": [{"wildcard": "EC2 * Notification"}]}""", true)]
    // anything-but: a value, a list, a number, an operator; never a missing field.
    [InlineData("""{"detail": {"state": [{"anything-but": "initializing"}]}}""", true)]
    [InlineData("""{"detail": {"state": [{"anything-but": "terminated"}]}}""", false)]
    [InlineData("""{"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}}""", false)]
    [InlineData("""{"detail": {"c-count": [{"anything-but": 5}]}}""", false)]
    [InlineData("""{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}""", true)]
    [InlineData("""{"detail": {"state": [{"anything-but": {"suffix": "ated"}}]}}""", false)]
    [InlineData("""{"detail": {"state": [{"anything-but": {"equals-ignore-case": "TERMINATED"}}]}}""", false)]
    [InlineData("""{"detail": {"missing": [{"anything-but": "x"}]}}""", false)]
    // numeric: one condition or a range; numbers only.
    [InlineData("""{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}""", true)]
    [InlineData("""{"detail": {"d-count": [{"numeric": ["<", 10]}]}}""", true)]
    [InlineData("""{"detail": {"x-limit": [{"numeric": ["=", 301.8]}]}}""", true)]
    [InlineData("""{"detail": {"x-limit": [{"numeric": [">", 301.8]}]}}""", false)]
    [InlineData("""{"detail": {"c-count": [{"numeric": [">=", 6]}]}}""", false)]
    [InlineData("""{"detail": {"state": [{"numeric": [">", 0]}]}}""", false)]
    // exists
    [InlineData("""{"detail": {"c-count": [{"exists": true}]}}""", true)]
    [InlineData("""{"detail": {"c-count": [{"exists": false}]}}""", false)]
    [InlineData("""{"detail": {"missing": [{"exists": false}]}}""", true)]
    [InlineData("""{"detail": {"missing": [{"exists": true}]}}""", false)]
    // $or
    [InlineData("""{"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"d-count": [3]}]}}""", true)]
    [InlineData("""{"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"d-count": [4]}]}}""", false)]
    [InlineData("""{"source": ["aws.ec2"], "$or": [{"region": ["eu-west-1"]}, {"detail": {"state": ["terminated"]}}]}""", true)]
    public void Matches_the_documented_example_event(string pattern, bool matches) =>
        Assert.Equal(matches, EventPattern.Parse(pattern).Matches(Ec2Event));

    [Theory]
    [InlineData("""{"source": ["orders"], "detail-type": ["OrderPlaced"]}""", true)]
    [InlineData("""{"detail": {"data": {"currency": ["AUD", "NZD"]}}}""", true)]
    [InlineData("""{"detail": {"data": {"total": [{"numeric": [">=", 1000]}]}}}""", true)]
    [InlineData("""{"detail": {"data": {"shippingAddress": {"country": ["AU"]}}}}""", false)]
    [InlineData("""{"detail": {"data": {"lines": {"sku": ["CUP-9"]}}}}""", true)]
    [InlineData("""{"detail": {"data": {"lines": {"sku": [{"prefix": "MUG"}]}}}}""", false)]
    [InlineData("""{"detail": {"metadata": {"schemaVersion": [1]}}}""", true)]
    public void Matches_this_systems_envelope(string pattern, bool matches) =>
        Assert.Equal(matches, EventPattern.Parse(pattern).Matches(OrderPlacedEnvelope));

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("""["aws.ec2"]""", "JSON object")]
    [InlineData("""{"source": "aws.ec2"}""", "'source'")]
    [InlineData("""{"source": []}""", "'source'")]
    [InlineData("""{"detail": {"c-count": [{"numeric": [">"]}]}}""", "'detail.c-count[0].numeric'")]
    [InlineData("""{"detail": {"c-count": [{"numeric": ["!=", 1]}]}}""", "'detail.c-count[0].numeric'")]
    [InlineData("""{"a": [{"unknown": 1}]}""", "'a[0]'")]
    [InlineData("""{"a": [{"prefix": "x", "suffix": "y"}]}""", "'a[0]'")]
    [InlineData("""{"a": [{"exists": "yes"}]}""", "'a[0].exists'")]
    [InlineData("""{"a": [{"anything-but": {"numeric": [">", 1]}}]}""", "'a[0].anything-but'")]
    [InlineData("""{"a": [{"wildcard": "a**b"}]}""", "'a[0].wildcard'")]
    [InlineData("""{"a": [["nested"]]}""", "'a[0]'")]
    [InlineData("""{"$or": [{"a": ["x"]}]}""", "'$or'")]
    public void An_invalid_pattern_is_refused_naming_the_field(string pattern, string named)
    {
        var error = Assert.Throws<EventPatternException>(() => EventPattern.Parse(pattern));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_star_can_be_matched_literally()
    {
        var pattern = EventPattern.Parse("""{"name": [{"wildcard": "a\\*b*"}]}""");

        Assert.True(pattern.Matches("""{"name": "a*bc"}"""));
        Assert.False(pattern.Matches("""{"name": "axbc"}"""));
    }
}
