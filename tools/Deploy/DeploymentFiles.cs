namespace EcommerceEda.Deploy;

/// <summary>The generated <c>deploy/</c> tree: what the AppHost's manifest becomes on each target, and how it differs from the committed one.</summary>
public static class DeploymentFiles
{
    /// <summary>The command that regenerates <c>deploy/</c>.</summary>
    public const string Command = "./eng/publish.sh";

    /// <summary>Where the images are pushed (<c>dotnet publish services/Orders -t:PublishContainer</c> names them so).</summary>
    public const string DefaultRegistry = "ghcr.io/ecommerce-eda";

    /// <summary>Every generated file, by its path under <c>deploy/</c>; the managed database's provisioning serves both targets.</summary>
    public static IReadOnlyDictionary<string, string> Generate(AspireManifest manifest, string registry = DefaultRegistry) =>
        new ComposeTarget(manifest, registry).Files().Select(file => ($"compose/{file.Key}", file.Value))
            .Concat(new KubernetesTarget(manifest, registry).Files().Select(file => ($"kubernetes/{file.Key}", file.Value)))
            .Append(("postgres/provision.sql", Topology.PostgresProvisioning()))
            .ToDictionary(file => file.Item1, file => file.Item2, StringComparer.Ordinal);

    /// <summary>What differs between <paramref name="files"/> and the tree under <paramref name="root"/>: out of date, missing, no longer generated.</summary>
    public static IReadOnlyList<string> Drift(string root, IReadOnlyDictionary<string, string> files) =>
    [
        .. files.Select(file => (file.Key, Committed: File.Exists(Path.Combine(root, file.Key)) ? File.ReadAllText(Path.Combine(root, file.Key)) : null, file.Value))
            .Where(file => file.Committed != file.Value)
            .Select(file => $"{file.Key}: {(file.Committed is null ? "missing" : "out of date")}"),
        .. Targets.Where(target => Directory.Exists(Path.Combine(root, target)))
            .SelectMany(target => Directory.EnumerateFiles(Path.Combine(root, target), "*", SearchOption.AllDirectories))
            .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Where(file => !files.ContainsKey(file))
            .Select(file => $"{file}: no longer generated"),
    ];

    /// <summary>Writes <paramref name="files"/> under <paramref name="root"/> and deletes what is no longer generated.</summary>
    public static void Write(string root, IReadOnlyDictionary<string, string> files)
    {
        foreach (var target in Targets.Select(target => Path.Combine(root, target)).Where(Directory.Exists))
        {
            Directory.Delete(target, recursive: true);
        }

        foreach (var (path, content) in files)
        {
            var file = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
        }
    }

    private static readonly string[] Targets = ["compose", "kubernetes", "postgres"];
}
