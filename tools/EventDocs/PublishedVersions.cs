using System.Diagnostics;

namespace EcommerceEda.EventDocs;

/// <summary>
/// Every published version of a schema file: the one in the working tree and each one git's history holds for
/// it. Outside a git repository (a downloaded archive) only the working tree's.
/// </summary>
internal static class PublishedVersions
{
    public static IEnumerable<string> Of(string docs, string file)
    {
        var versions = new List<string>();
        if (File.Exists(Path.Combine(docs, file)))
        {
            versions.Add(File.ReadAllText(Path.Combine(docs, file)));
        }

        if (Git(docs, "log", "--format=%H", "--", file) is { } commits)
        {
            foreach (var commit in commits.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                versions.Add(Git(docs, "show", $"{commit}:./{file}")
                    ?? throw new InvalidOperationException($"git could not show {file} at {commit}."));
            }
        }

        return versions.Distinct(StringComparer.Ordinal);
    }

    // Standard output of a successful git command in the docs folder; null when git fails or is missing.
    private static string? Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            using var git = Process.Start(start)!;
            var output = git.StandardOutput.ReadToEndAsync();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output.Result : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // git is not installed
        }
    }
}
