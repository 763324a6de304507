using EcommerceEda.Messaging;
using EcommerceEda.Messaging.Sagas;
using EcommerceEda.Orders.Features.FulfillmentView;
using EcommerceEda.Orders.Fulfillment;
using Microsoft.Extensions.Options;

namespace EcommerceEda.Tests.Fulfillment;

/// <summary>Where the saga view draws each state: the happy path down the first column, the rest beside it.</summary>
public sealed class SagaLayoutTests
{
    [Fact]
    public void The_fulfillment_saga_runs_down_its_happy_path_with_cancellation_beside_it()
    {
        var machine = new OrderStateMachine(new EventSource("orders", TimeProvider.System), TimeProvider.System, Options.Create(new FulfillmentOptions()));

        var graph = FulfillmentGraph.Of(machine);

        Assert.Equal(
            ["Initial", "Placed", "Reserved", "Picked", "Shipped", "Delivered", "Returning", "Refunded"],
            graph.States.Where(node => node.Column == 0).OrderBy(node => node.Row).Select(node => node.State));
        Assert.Equal(Enumerable.Range(0, 8), graph.States.Where(node => node.Column == 0).Select(node => node.Row).Order());
        Assert.Equal(new SagaNode("Cancelled", 2, 1), graph.States.Single(node => node.State == "Cancelled")); // level with the middle of Initial..Shipped
        Assert.Contains(graph.Transitions, t => t is { From: "Picked", Message: "OrderDelivered", To: "Delivered" }); // delivered before shipped: a skip
        Assert.Contains(graph.Transitions, t => t is { From: "Placed", Message: "CancelOrder", To: "Cancelled" });
    }

    [Fact]
    public void A_transition_back_to_an_earlier_state_does_not_lengthen_the_path()
    {
        var layout = SagaLayout.Arrange([T("Initial", "Waiting"), T("Waiting", "Working"), T("Working", "Waiting"), T("Working", "Done")]);

        Assert.Equal(
            [new("Initial", 0, 0), new("Waiting", 1, 0), new("Working", 2, 0), new("Done", 3, 0)],
            layout);
    }

    [Fact]
    public void States_beside_the_path_on_one_row_take_the_next_columns_and_their_followers_go_below()
    {
        var layout = SagaLayout.Arrange([T("Initial", "A"), T("A", "B"), T("B", "C"), T("A", "Failed"), T("A", "Expired"), T("Failed", "Archived")]);

        Assert.Equal(
            [new("Initial", 0, 0), new("A", 1, 0), new("B", 2, 0), new("C", 3, 0), new("Failed", 1, 1), new("Expired", 1, 2), new("Archived", 2, 1)],
            layout);
    }

    private static SagaTransition T(string from, string to) => new(from, $"{from}To{to}", $"urn:message:test:{from}-{to}:v1", to);
}
