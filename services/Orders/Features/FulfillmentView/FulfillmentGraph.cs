using EcommerceEda.Messaging.Outbox;
using EcommerceEda.Messaging.Sagas;
using EcommerceEda.Orders.Fulfillment;
using MassTransit;

namespace EcommerceEda.Orders.Features.FulfillmentView;

/// <summary>The fulfillment saga as the view draws it: each state where it goes, each transition by its message.</summary>
public sealed record FulfillmentGraph(IReadOnlyList<SagaNode> States, IReadOnlyList<SagaTransition> Transitions)
{
    /// <summary>Read from the state machine the service runs, so the picture cannot drift from the code.</summary>
    public static FulfillmentGraph Of(IServiceProvider services) => Of(services.GetRequiredService<SagaStateMachine<OrderState>>());

    /// <summary>Read from <paramref name="machine"/>.</summary>
    public static FulfillmentGraph Of(SagaStateMachine<OrderState> machine)
    {
        var transitions = SagaGraph.Read(machine);
        return new FulfillmentGraph(SagaLayout.Arrange(transitions), transitions);
    }
}

/// <summary>The names in code of the messages the saga takes and Orders sends, by URN, to show a journal to people.</summary>
public sealed class MessageNames(SagaStateMachine<OrderState> machine, OutgoingMessages outgoing)
{
    private readonly Dictionary<string, string> _names = machine.Events
        .Select(SagaGraph.MessageOf).OfType<Type>()
        .Concat(outgoing.All.Select(message => message.Type))
        .DistinctBy(MessageUrn.ForTypeString)
        .ToDictionary(MessageUrn.ForTypeString, type => type.Name);

    /// <summary>The message's name in code (<c>ReserveStock</c>), else its URN.</summary>
    public string Of(string urn) => _names.GetValueOrDefault(urn, urn);
}
