using System.Globalization;
using EcommerceEda.LoadTests.Load;
using Spectre.Console;

namespace EcommerceEda.LoadTests;

/// <summary>Where a run shows what it is doing.</summary>
public interface IRunConsole
{
    /// <summary>A new part of the run.</summary>
    void Heading(string text);

    /// <summary>A line of what happened.</summary>
    void Line(string text);

    /// <summary>Runs a load, showing its samples as they come.</summary>
    Task<T> WatchAsync<T>(string title, Func<Action<LoadSample>, Task<T>> load);
}

/// <summary>A terminal: a live table per load (Spectre.Console); lines written meanwhile go under the table.</summary>
public sealed class LiveConsole : IRunConsole
{
    private readonly List<string> _notes = [];
    private Table? _live;

    /// <inheritdoc />
    public void Heading(string text) => AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(text)}[/]").LeftJustified());

    /// <inheritdoc />
    public void Line(string text)
    {
        if (_live is null)
        {
            AnsiConsole.MarkupLine(Markup.Escape(text));
            return;
        }

        _notes.Add(Markup.Escape(text));
        _live.Caption(string.Join('\n', _notes));
    }

    /// <inheritdoc />
    public async Task<T> WatchAsync<T>(string title, Func<Action<LoadSample>, Task<T>> load)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        foreach (var column in new[] { "phase", "elapsed", "rate/s", "sent", "accepted", "failed", "ended", "in flight" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        table.AddRow("starting", "0 s", "", "", "", "", "", "");
        _notes.Clear();
        _live = table;
        try
        {
            return await AnsiConsole.Live(table).StartAsync(context => load(sample =>
        {
            table.UpdateCell(0, 0, sample.Phase);
            table.UpdateCell(0, 1, Format($"{sample.Elapsed.TotalSeconds:0} s"));
            table.UpdateCell(0, 2, Format($"{sample.Rate:0.#}"));
            table.UpdateCell(0, 3, Format($"{sample.Sent}"));
            table.UpdateCell(0, 4, Format($"{sample.Accepted}"));
            table.UpdateCell(0, 5, sample.Failed == 0 ? "0" : Format($"[red]{sample.Failed}[/]"));
            table.UpdateCell(0, 6, Format($"{sample.Ended}"));
            table.UpdateCell(0, 7, Format($"{sample.InFlight}"));
            context.Refresh();
        }));
        }
        finally
        {
            _live = null;
        }
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A log (redirected output, tests): a line per load every few seconds.</summary>
public sealed class PlainConsole(TextWriter writer) : IRunConsole
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public void Heading(string text) => writer.WriteLine($"== {text}");

    /// <inheritdoc />
    public void Line(string text) => writer.WriteLine(text);

    /// <inheritdoc />
    public Task<T> WatchAsync<T>(string title, Func<Action<LoadSample>, Task<T>> load)
    {
        writer.WriteLine(title);
        var shown = TimeSpan.Zero;
        return load(sample =>
        {
            if (sample.Elapsed - shown >= Every)
            {
                shown = sample.Elapsed;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {sample.Elapsed.TotalSeconds,4:0} s {sample.Phase,-10} sent {sample.Sent}, accepted {sample.Accepted}, failed {sample.Failed}, ended {sample.Ended}, in flight {sample.InFlight}"));
            }
        });
    }
}
