namespace EcommerceEda.ServiceDefaults.Requests;

/// <summary>
/// A request that knows its own rules. <see cref="ValidationBehavior{TMessage,TResponse}"/> checks it
/// before its handler runs; a failure becomes a 400 validation problem that lists every field.
/// </summary>
public interface IValidatable
{
    /// <summary>Every rule the request breaks; empty when it is valid.</summary>
    IEnumerable<ValidationError> Validate();
}

/// <summary>One broken rule.</summary>
/// <param name="Field">The JSON path of the field, as the client sent it (<c>lines[0].quantity</c>).</param>
/// <param name="Message">What is wrong, in words a client developer can act on.</param>
public readonly record struct ValidationError(string Field, string Message);
