using System.Reflection;
using MassTransit;

namespace EcommerceEda.Messaging.Topology;

/// <summary>
/// Names a message's exchange after its <see cref="MessageUrnAttribute"/> (<c>orders:order-placed:v1</c>)
/// instead of its CLR namespace and type, so a contract can move or be renamed in code without
/// breaking the topology peers are bound to. Types without the attribute keep MassTransit's name.
/// </summary>
internal sealed class UrnEntityNameFormatter(IEntityNameFormatter fallback) : IEntityNameFormatter
{
    /// <inheritdoc />
    public string FormatEntityName<T>() =>
        typeof(T).GetCustomAttribute<MessageUrnAttribute>() is { } attribute
            ? attribute.Urn.OriginalString[MessageUrn.Prefix.Length..]
            : fallback.FormatEntityName<T>();
}

/// <summary>The bus configuration that names exchanges by message URN.</summary>
public static class UrnEntityNames
{
    /// <summary>Names message exchanges after their URN (<see cref="UrnEntityNameFormatter"/>), as every service's bus does.</summary>
    public static void UseUrnEntityNames(this IRabbitMqBusFactoryConfigurator rabbitMq) =>
        rabbitMq.MessageTopology.SetEntityNameFormatter(new UrnEntityNameFormatter(rabbitMq.MessageTopology.EntityNameFormatter));
}
