using EcommerceEda.EventDocs;

// Regenerates docs/ from the code: asyncapi.json, events.md and a JSON Schema per message and version.
//   --check   writes nothing; fails when docs/ differs from what the code generates now.
//   --docs D  the docs folder (default: docs/ of the repository this was built in).
var check = args.Contains("--check");
var docs = args.SkipWhile(a => a != "--docs").Skip(1).FirstOrDefault() ?? DocsGenerator.RepositoryDocs();

var files = DocsGenerator.Generate(SystemModel.Read());
var breaking = DocsGenerator.BreakingChanges(docs, files);
if (breaking.Count > 0)
{
    Console.Error.WriteLine("Breaking changes to published message versions (a breaking change is a new version: see docs/events.md#versioning):");
    foreach (var change in breaking)
    {
        Console.Error.WriteLine($"  {change}");
    }

    return 1;
}

if (check)
{
    var drift = DocsGenerator.Drift(docs, files);
    foreach (var difference in drift)
    {
        Console.Error.WriteLine($"  {difference}");
    }

    Console.WriteLine(drift.Count == 0 ? "docs/ is up to date." : $"docs/ is out of date: run {DocsGenerator.Command}");
    return drift.Count == 0 ? 0 : 1;
}

DocsGenerator.Write(docs, files);
Console.WriteLine($"Wrote {files.Count} files to {docs}");
return 0;
