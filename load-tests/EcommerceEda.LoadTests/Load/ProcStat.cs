namespace EcommerceEda.LoadTests.Load;

/// <summary>
/// A process's line of <c>/proc/&lt;pid&gt;/stat</c> (Linux): its name, and the fields after the name, from the state
/// (field 3, so <c>Fields[0]</c>) on; <c>proc(5)</c> numbers them.
/// </summary>
/// <param name="Name">The process's name (at most 15 characters), without its parentheses.</param>
/// <param name="Fields">The fields after the name.</param>
public sealed record ProcStat(string Name, string[] Fields)
{
    /// <summary>Whether the process has died: a zombie its parent has not reaped yet (Z), or dead (X).</summary>
    public bool IsDead => Fields[0] is "Z" or "X";

    /// <summary>Reads <paramref name="directory"/>'s <c>stat</c> (<c>/proc/&lt;pid&gt;</c>); null when the process is gone or not readable.</summary>
    public static ProcStat? Read(string directory)
    {
        // The name may hold spaces and parentheses: it runs from the first '(' to the last ')'.
        var stat = ReadFile(Path.Combine(directory, "stat"));
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        return open < 0 || close < open ? null : new ProcStat(stat[(open + 1)..close], stat[(close + 2)..].Split(' '));
    }

    /// <summary>A file of a process's <c>/proc</c> folder; empty when the process ended or is not ours to read.</summary>
    public static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
