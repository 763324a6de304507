using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace EcommerceEda.EventDocs;

/// <summary>The XML documentation the compiler writes beside each assembly: a contract's summary and its parameters' descriptions.</summary>
internal static partial class XmlDocs
{
    private static readonly Dictionary<Assembly, Dictionary<string, XElement>> Members = [];

    /// <summary>The type's <c>&lt;summary&gt;</c> as one line of text.</summary>
    public static string Summary(Type type) => Text(Member(type)?.Element("summary"));

    /// <summary>The <c>&lt;param&gt;</c> of a record's primary constructor that declares <paramref name="property"/>, if documented.</summary>
    public static string? Parameter(Type type, string property) =>
        Member(type)?.Elements("param").FirstOrDefault(p => (string?)p.Attribute("name") == property) is { } param ? Text(param) : null;

    private static XElement? Member(Type type)
    {
        lock (Members)
        {
            if (!Members.TryGetValue(type.Assembly, out var members))
            {
                var file = Path.ChangeExtension(type.Assembly.Location, ".xml");
                members = File.Exists(file)
                    ? XDocument.Load(file).Descendants("member").ToDictionary(m => (string)m.Attribute("name")!, StringComparer.Ordinal)
                    : [];
                Members[type.Assembly] = members;
            }

            return members.GetValueOrDefault($"T:{type.FullName}");
        }
    }

    // <see cref="T:A.B.Name"/> → Name; <c>x</c> → `x`; whitespace collapsed.
    private static string Text(XElement? element)
    {
        if (element is null)
        {
            return "";
        }

        var parts = element.Nodes().Select(node => node switch
        {
            XText text => text.Value,
            XElement { Name.LocalName: "see" } see => ((string?)see.Attribute("cref") ?? (string?)see.Attribute("langword") ?? "").Split('.', ':')[^1],
            XElement { Name.LocalName: "c" } code => $"`{code.Value}`",
            XElement { Name.LocalName: "paramref" or "typeparamref" } reference => (string?)reference.Attribute("name") ?? "",
            XElement other => other.Value,
            _ => "",
        });
        return Whitespace().Replace(string.Concat(parts), " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
