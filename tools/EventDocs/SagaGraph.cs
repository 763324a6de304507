using MassTransit;
using MassTransit.SagaStateMachine;
using Microsoft.Extensions.DependencyInjection;

namespace EcommerceEda.EventDocs;

/// <summary>
/// Reads a saga's transitions from its state machine, built as the service builds it, by walking it with a
/// visitor: in each state, each event's <c>TransitionTo</c> is one transition, named after the event's message.
/// Events that only record something (no transition) are left out.
/// </summary>
internal sealed class SagaGraph : StateMachineVisitor
{
    private readonly List<SagaTransition> _transitions = [];
    private State? _state;
    private Event? _event;

    public static SagaModel Read(IServiceProvider services, Type stateMachineType, string queue)
    {
        var machine = (StateMachine)ActivatorUtilities.CreateInstance(services, stateMachineType);
        var graph = new SagaGraph();
        machine.Accept(graph);

        // The machine names an event after its property (CancelRequested); the diagram names the message (CancelOrder).
        var messages = machine.Events.ToDictionary(e => e.Name, e => Message(e.GetType()) ?? e.Name, StringComparer.Ordinal);
        return new SagaModel(stateMachineType, queue, [.. graph._transitions.Select(t => t with { Event = messages[t.Event] }).Distinct()]);
    }

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

    private static string? Message(Type eventType) =>
        eventType.GetInterfaces().Append(eventType).FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Event<>))?.GetGenericArguments()[0].Name;

    private void Inspect(IStateMachineActivity activity)
    {
        var type = activity.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(TransitionActivity<>)
            && type.GetProperty(nameof(TransitionActivity<SagaStateMachineInstance>.ToState))?.GetValue(activity) is State to && _state is not null && _event is not null)
        {
            _transitions.Add(new SagaTransition(_state.Name, _event.Name, to.Name));
        }
    }
}
