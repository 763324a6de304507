using System.Text.Json.Nodes;

namespace EcommerceEda.EventDocs;

/// <summary>
/// The files under <c>docs/</c> that describe the messaging: <c>asyncapi.json</c>, <c>events.md</c> and
/// <c>schemas/{owner}/{name}.v{n}.json</c>. The schema files on disk are the published versions: a new schema
/// replaces one only when it is compatible.
/// </summary>
public static class DocsGenerator
{
    /// <summary>The command that regenerates the docs, from the repository's root.</summary>
    public const string Command = "./eng/generate-docs.sh";

    private const string Schemas = "schemas";

    /// <summary>The <c>docs/</c> folder of the repository these binaries were built in.</summary>
    public static string RepositoryDocs() => Path.Combine(Repository(), "docs");

    /// <summary>The root of the repository these binaries were built in.</summary>
    public static string Repository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EcommerceEda.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Not built inside the repository: name the docs folder with --docs.");
    }

    /// <summary>Every generated file, by its path relative to <c>docs/</c> (with <c>/</c>).</summary>
    public static IReadOnlyDictionary<string, string> Generate(SystemModel system)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["asyncapi.json"] = MessageSchemas.Format(AsyncApiDocument.Create(system)),
            ["events.md"] = EventsMarkdown.Create(system),
        };
        foreach (var message in system.Messages)
        {
            files[SchemaFile(message.Urn)] = MessageSchemas.Format(MessageSchemas.Document(message));
        }

        return files;
    }

    /// <summary>
    /// Breaking changes of the generated schemas against every version of them ever published: the file in
    /// <paramref name="docs"/> and each committed version in git's history, so a commit that changes a contract and
    /// its schema file together is still caught. Each names its file and field.
    /// </summary>
    public static IReadOnlyList<string> BreakingChanges(string docs, IReadOnlyDictionary<string, string> files) =>
    [
        .. files.Where(file => file.Key.StartsWith($"{Schemas}/", StringComparison.Ordinal))
            .SelectMany(file => PublishedVersions.Of(docs, file.Key)
                .SelectMany(published => SchemaCompatibility.BreakingChanges(JsonNode.Parse(published)!, JsonNode.Parse(file.Value)!))
                .Distinct()
                .Select(change => $"{file.Key}: {change}")),
    ];

    /// <summary>Files that differ from what is generated now, are missing, or are no longer generated (schemas of retired versions).</summary>
    public static IReadOnlyList<string> Drift(string docs, IReadOnlyDictionary<string, string> files) =>
    [
        .. files.Select(file => (file.Key, Committed: File.Exists(Path.Combine(docs, file.Key)) ? File.ReadAllText(Path.Combine(docs, file.Key)) : null, file.Value))
            .Where(file => file.Committed != file.Value)
            .Select(file => $"{file.Key}: {(file.Committed is null ? "missing" : "out of date")}"),
        .. Unproduced(docs, files).Select(file => $"{file}: no longer generated (its contract is gone)"),
    ];

    /// <summary>Published schema files whose contract no longer exists in the code.</summary>
    public static IReadOnlyList<string> Unproduced(string docs, IReadOnlyDictionary<string, string> files) =>
        Directory.Exists(Path.Combine(docs, Schemas))
            ? [.. Directory.EnumerateFiles(Path.Combine(docs, Schemas), "*.json", SearchOption.AllDirectories)
                .Select(file => Path.GetRelativePath(docs, file).Replace('\\', '/'))
                .Where(file => !files.ContainsKey(file))
                .Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The schema file of the message with the URN <c>owner:name:vN</c>, relative to <c>docs/</c>.</summary>
    public static string SchemaFile(string urn) =>
        urn.Split(':') is [var owner, var name, ['v', .. var version]]
            ? $"{Schemas}/{owner}/{name}.v{version}.json"
            : throw new ArgumentException($"A message's URN is 'owner:name:vN', not '{urn}'.", nameof(urn));

    /// <summary>Writes every file and deletes the schema files of <paramref name="retired"/> versions.</summary>
    public static void Write(string docs, IReadOnlyDictionary<string, string> files, IEnumerable<string> retired)
    {
        foreach (var file in retired)
        {
            File.Delete(Path.Combine(docs, file));
        }

        foreach (var (path, content) in files)
        {
            var file = Path.Combine(docs, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
        }
    }
}
