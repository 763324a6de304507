using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace EcommerceEda.Messaging.Subscriptions;

/// <summary>
/// Checks a received message against its contract as the code declares it: a property whose type is not nullable
/// (<c>string</c>, not <c>string?</c>; a record) must not be null, an id (<see cref="Guid"/>) must not be empty, and a
/// list must hold no nulls. The JSON serializer lets all of these through as defaults when a field is missing.
/// </summary>
internal static class MessageShape
{
    private static readonly ConcurrentDictionary<Type, Field[]> Fields = new();

    /// <summary>Each problem as <c>path: what is wrong</c>; empty when the message has its contract's shape.</summary>
    public static List<string> Problems(object message)
    {
        var problems = new List<string>();
        Check(message, "", problems, depth: 0);
        return problems;
    }

    private static void Check(object value, string path, List<string> problems, int depth)
    {
        if (depth > 8)
        {
            return; // contracts are shallow; a deeper graph is not ours to judge
        }

        foreach (var field in Fields.GetOrAdd(value.GetType(), Describe))
        {
            var at = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
            var fieldValue = field.Property.GetValue(value);
            if (fieldValue is null)
            {
                if (field.Required)
                {
                    problems.Add($"{at}: missing");
                }
            }
            else if (fieldValue is Guid id && id == Guid.Empty)
            {
                problems.Add($"{at}: empty");
            }
            else if (fieldValue is IEnumerable items and not string)
            {
                var index = 0;
                foreach (var item in items)
                {
                    if (item is null)
                    {
                        problems.Add($"{at}[{index}]: missing");
                    }
                    else if (IsContract(item.GetType()))
                    {
                        Check(item, $"{at}[{index}]", problems, depth + 1);
                    }

                    index++;
                }
            }
            else if (IsContract(fieldValue.GetType()))
            {
                Check(fieldValue, at, problems, depth + 1);
            }
        }
    }

    private static Field[] Describe(Type type)
    {
        var nullability = new NullabilityInfoContext();
        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .Select(p => new Field(
                p,
                MessageJson.Options.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name, // as on the wire
                !p.PropertyType.IsValueType && nullability.Create(p).ReadState == NullabilityState.NotNull))];
    }

    // A record of a contract: a class of ours with properties, not a framework type.
    private static bool IsContract(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("EcommerceEda", StringComparison.Ordinal) == true;

    private sealed record Field(PropertyInfo Property, string Name, bool Required);
}
