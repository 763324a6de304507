using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using static System.FormattableString;

namespace EcommerceEda.LoadTests.Reports;

/// <summary>Writes a run's report as <c>report.md</c>, <c>report.json</c> and <c>report.html</c> (with charts).</summary>
public static partial class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly string[] Colors = ["#2563eb", "#dc2626", "#16a34a", "#9333ea"];

    private static readonly double[] NiceSteps = [1, 2, 5, 10];

    /// <summary>Writes the three files into <paramref name="folder"/> and returns their paths.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(RunReport run, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var blocks = ReportDocument.Of(run).ToList();
        var title = $"EcommerceEda load test {run.RunId}";
        var files = new Dictionary<string, string>
        {
            ["report.md"] = Markdown(title, blocks),
            ["report.html"] = Html(title, blocks),
            ["report.json"] = JsonSerializer.Serialize(run, Json),
        };
        foreach (var (name, content) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, name), content, cancellationToken);
        }

        return [.. files.Keys.Select(name => Path.Combine(folder, name))];
    }

    /// <summary>The report in markdown; charts are left to the HTML page.</summary>
    public static string Markdown(string title, IEnumerable<Block> blocks)
    {
        var markdown = new StringBuilder($"# {title}\n");
        foreach (var block in blocks)
        {
            markdown.Append('\n');
            switch (block)
            {
                case Heading heading:
                    markdown.Append(CultureInfo.InvariantCulture, $"## {heading.Text}\n");
                    break;
                case Paragraph paragraph:
                    markdown.Append(CultureInfo.InvariantCulture, $"{paragraph.Text}\n");
                    break;
                case TableBlock table:
                    markdown.Append(CultureInfo.InvariantCulture, $"| {string.Join(" | ", table.Headers)} |\n");
                    markdown.Append(CultureInfo.InvariantCulture, $"|{string.Concat(table.Headers.Select(_ => " --- |"))}\n");
                    foreach (var row in table.Rows)
                    {
                        markdown.Append(CultureInfo.InvariantCulture, $"| {string.Join(" | ", row)} |\n");
                    }

                    break;
                case ChartBlock chart:
                    markdown.Append(CultureInfo.InvariantCulture, $"_Chart in report.html: {chart.Title}._\n");
                    break;
            }
        }

        return markdown.ToString();
    }

    private static string Html(string title, IEnumerable<Block> blocks)
    {
        var body = new StringBuilder();
        foreach (var block in blocks)
        {
            body.Append(block switch
            {
                Heading heading => $"<h2>{Text(heading.Text)}</h2>\n",
                Paragraph paragraph => $"<p>{Text(paragraph.Text)}</p>\n",
                TableBlock table => Table(table),
                ChartBlock chart => Chart(chart),
                _ => string.Empty,
            });
        }

        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{{Text(title)}}</title>
            <style>
              body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; color: #1f2937; }
              table { border-collapse: collapse; margin: 1em 0; }
              th, td { border: 1px solid #d1d5db; padding: 4px 10px; text-align: right; }
              th:first-child, td:first-child { text-align: left; }
              code { background: #f3f4f6; padding: 1px 4px; }
              figure { margin: 1.5em 0; }
              figcaption { font-weight: 600; margin-bottom: .3em; }
            </style>
            </head>
            <body>
            <h1>{{Text(title)}}</h1>
            {{body}}
            </body>
            </html>
            """;
    }

    private static string Table(TableBlock table)
    {
        var html = new StringBuilder("<table>\n<tr>");
        html.AppendJoin(string.Empty, table.Headers.Select(header => $"<th>{Text(header)}</th>")).Append("</tr>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>").AppendJoin(string.Empty, row.Select(cell => $"<td>{Text(cell)}</td>")).Append("</tr>\n");
        }

        return html.Append("</table>\n").ToString();
    }

    /// <summary>An SVG line chart: axes from zero to a rounded maximum, a polyline and a legend entry per series.</summary>
    private static string Chart(ChartBlock chart)
    {
        const double Width = 900, Height = 280, Left = 60, Right = 20, Top = 20, Bottom = 40;
        var points = chart.Lines.SelectMany(series => series.Points).ToList();
        var maxX = Nice(points.Select(p => p.X).DefaultIfEmpty(1).Max());
        var maxY = Nice(points.Select(p => p.Y).DefaultIfEmpty(1).Max());
        double X(double x) => Left + (x / maxX * (Width - Left - Right));
        double Y(double y) => Height - Bottom - (y / maxY * (Height - Top - Bottom));

        var svg = new StringBuilder(Invariant($"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" font-size=\"11\">\n"));
        for (var i = 0; i <= 4; i++)
        {
            var (x, y) = (maxX * i / 4, maxY * i / 4);
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Y(y):0.#}\" x2=\"{Width - Right}\" y2=\"{Y(y):0.#}\" stroke=\"#e5e7eb\"/>"))
                .Append(Invariant($"<text x=\"{Left - 6}\" y=\"{Y(y) + 4:0.#}\" text-anchor=\"end\">{y:0.##}</text>"))
                .Append(Invariant($"<text x=\"{X(x):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{x:0.##}</text>\n"));
        }

        svg.Append(Invariant($"<text x=\"12\" y=\"{Top + 4}\">{Text(chart.Unit)}</text>\n"));
        foreach (var (series, index) in chart.Lines.Select((series, index) => (series, index)))
        {
            var color = Colors[index % Colors.Length];
            var line = string.Join(' ', series.Points.Select(p => Invariant($"{X(p.X):0.#},{Y(p.Y):0.#}")));
            svg.Append(Invariant($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{line}\"/>"))
                .Append(Invariant($"<rect x=\"{Left + 10 + (index * 110)}\" y=\"{Height - 14}\" width=\"12\" height=\"3\" fill=\"{color}\"/>"))
                .Append(Invariant($"<text x=\"{Left + 26 + (index * 110)}\" y=\"{Height - 10}\">{Text(series.Name)}</text>\n"));
        }

        return $"<figure><figcaption>{Text(chart.Title)}</figcaption>\n{svg}</svg></figure>\n";
    }

    // The axis maximum: 1, 2 or 5 times a power of ten, at least the data's maximum.
    private static double Nice(double max)
    {
        if (max <= 0)
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        return NiceSteps.Select(step => step * power).First(candidate => candidate >= max);
    }

    private static string Text(string text) =>
        Code().Replace(Bold().Replace(WebUtility.HtmlEncode(text), "<strong>$1</strong>"), "<code>$1</code>");

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex Bold();
}
