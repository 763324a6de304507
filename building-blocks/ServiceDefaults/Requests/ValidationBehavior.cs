using Mediator;

namespace EcommerceEda.ServiceDefaults.Requests;

/// <summary>Runs <see cref="IValidatable.Validate"/> before the handler; a handler only sees valid requests.</summary>
public sealed class ValidationBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    /// <inheritdoc />
    public ValueTask<TResponse> Handle(
        TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (message is IValidatable validatable)
        {
            var errors = validatable.Validate().ToList();
            if (errors.Count > 0)
            {
                throw new RequestValidationException(errors);
            }
        }

        return next(message, cancellationToken);
    }
}

/// <summary>Thrown by <see cref="ValidationBehavior{TMessage,TResponse}"/>; answered with a 400 validation problem.</summary>
public sealed class RequestValidationException(IReadOnlyList<ValidationError> errors)
    : Exception($"The request is invalid: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}")
{
    /// <summary>Every broken rule.</summary>
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}
