using MassTransit;
using MassTransit.SagaStateMachine;

namespace EcommerceEda.Messaging.Sagas;

/// <summary>One transition of a saga: in <paramref name="From"/>, the message <paramref name="Message"/> moves it to <paramref name="To"/>.</summary>
/// <param name="From">The state it leaves (<c>Initial</c> for a new instance).</param>
/// <param name="Message">The message's contract name (<c>OrderPlaced</c>), not the state machine's name for its event.</param>
/// <param name="MessageType">The message's URN, as the saga's journal records it.</param>
/// <param name="To">The state it enters.</param>
public sealed record SagaTransition(string From, string Message, string MessageType, string To);

/// <summary>
/// Reads a saga's transitions from its state machine by walking it with a visitor: in each state, each event's
/// <c>TransitionTo</c> is one transition, named after the event's message. Events that only record something (no
/// transition) are left out. The event catalog draws its diagram from it, and the saga view its graph.
/// </summary>
public static class SagaGraph
{
    /// <summary>The transitions of <paramref name="machine"/>, in the order the machine declares them.</summary>
    public static IReadOnlyList<SagaTransition> Read(StateMachine machine)
    {
        var visitor = new TransitionVisitor();
        machine.Accept(visitor);
        return [.. visitor.Transitions
            .Select(t => MessageOf(t.Event) is { } message
                ? new SagaTransition(t.From, message.Name, MessageUrn.ForTypeString(message), t.To)
                : new SagaTransition(t.From, t.Event.Name, t.Event.Name, t.To))
            .Distinct()];
    }

    /// <summary>The message type behind an event of the machine (<c>Event&lt;OrderPlaced&gt;</c>), if it has one.</summary>
    public static Type? MessageOf(Event @event) =>
        @event.GetType().GetInterfaces().Append(@event.GetType())
            .FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Event<>))?.GetGenericArguments()[0];

    private sealed class TransitionVisitor : StateMachineVisitor
    {
        private State? _state;
        private Event? _event;

        public List<(string From, Event Event, string To)> Transitions { get; } = [];

        public void Visit(State state, Action<State> next)
        {
            _state = state;
            next(state);
        }

        public void Visit(Event @event, Action<Event> next)
        {
            _event = @event;
            next(@event);
        }

        public void Visit<TData>(Event<TData> @event, Action<Event<TData>> next)
            where TData : class
        {
            _event = @event;
            next(@event);
        }

        public void Visit(IStateMachineActivity activity) => Inspect(activity);

        public void Visit<T>(IBehavior<T> behavior)
            where T : class, SagaStateMachineInstance
        {
        }

        public void Visit<T>(IBehavior<T> behavior, Action<IBehavior<T>> next)
            where T : class, SagaStateMachineInstance => next(behavior);

        public void Visit<T, TData>(IBehavior<T, TData> behavior)
            where T : class, SagaStateMachineInstance
            where TData : class
        {
        }

        public void Visit<T, TData>(IBehavior<T, TData> behavior, Action<IBehavior<T, TData>> next)
            where T : class, SagaStateMachineInstance
            where TData : class => next(behavior);

        public void Visit(IStateMachineActivity activity, Action<IStateMachineActivity> next)
        {
            Inspect(activity);
            next(activity);
        }

        private void Inspect(IStateMachineActivity activity)
        {
            var type = activity.GetType();
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(TransitionActivity<>)
                && type.GetProperty(nameof(TransitionActivity<SagaStateMachineInstance>.ToState))?.GetValue(activity) is State to && _state is not null && _event is not null)
            {
                Transitions.Add((_state.Name, _event, to.Name));
            }
        }
    }
}
