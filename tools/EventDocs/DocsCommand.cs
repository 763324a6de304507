namespace EcommerceEda.EventDocs;

/// <summary>
/// The command line of the generator (<c>eng/generate-docs.sh</c>):
/// <list type="bullet">
/// <item><c>(no option)</c>: regenerate <c>docs/</c>; refuses a breaking change to a published schema and the removal of
/// a published version, writing nothing.</item>
/// <item><c>--check</c>: write nothing; fail when <c>docs/</c> is not what the code generates now.</item>
/// <item><c>--retire owner:name:vN</c>: let that version's schema file go (its contract was removed from the code).</item>
/// <item><c>--docs D</c>: the docs folder (default: <c>docs/</c> of the repository this was built in).</item>
/// </list>
/// </summary>
public static class DocsCommand
{
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var check = false;
        string? docs = null;
        var retired = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--check":
                    check = true;
                    break;
                case "--docs" when i + 1 < args.Count:
                    docs = args[++i];
                    break;
                case "--retire" when i + 1 < args.Count:
                    retired.Add(DocsGenerator.SchemaFile(args[++i]));
                    break;
                default:
                    error.WriteLine($"Unknown option '{args[i]}'. Options: --check, --retire owner:name:vN, --docs <folder>.");
                    return 2;
            }
        }

        docs ??= DocsGenerator.RepositoryDocs();
        var files = DocsGenerator.Generate(SystemModel.Read());
        var unproduced = DocsGenerator.Unproduced(docs, files);
        var problems = DocsGenerator.BreakingChanges(docs, files)
            .Concat(retired.Where(file => !unproduced.Contains(file)).Select(file => $"{file}: cannot be retired: its contract is still in the code, or it was never published."))
            .Concat(unproduced.Where(file => !retired.Contains(file) && !check)
                .Select(file => $"{file}: published, but no contract has its URN any more. Keep the old version beside the new one until no consumer " +
                    "and nothing in flight (outboxes, queues, dead letters) uses it; then remove it with --retire owner:name:vN."))
            .ToList();
        if (problems.Count > 0)
        {
            error.WriteLine("Refused: a published message version would break (docs/events.md#versioning). Nothing was written.");
            problems.ForEach(problem => error.WriteLine($"  {problem}"));
            return 1;
        }

        if (check)
        {
            var drift = DocsGenerator.Drift(docs, files);
            foreach (var difference in drift)
            {
                error.WriteLine($"  {difference}");
            }

            output.WriteLine(drift.Count == 0 ? "docs/ is up to date." : $"docs/ is out of date: run {DocsGenerator.Command}");
            return drift.Count == 0 ? 0 : 1;
        }

        DocsGenerator.Write(docs, files, retired);
        output.WriteLine($"Wrote {files.Count} files to {docs}{(retired.Count > 0 ? $" and retired {string.Join(", ", retired)}" : "")}");
        return 0;
    }
}
