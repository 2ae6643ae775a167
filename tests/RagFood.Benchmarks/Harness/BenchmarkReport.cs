using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RagFood.Benchmarks.Harness;

/// <summary>Renders results as an aligned text table, JSON and Markdown.</summary>
internal sealed class BenchmarkReport(MachineInfo machine, IReadOnlyList<BenchmarkRow> rows, IReadOnlyList<string> failures, bool quick)
{
    private static readonly string[] Headers = ["Benchmark", "Name", "Metric", "Value", "Baseline", "Ratio", "Target", "Result"];

    public MachineInfo Machine => machine;

    public IReadOnlyList<BenchmarkRow> Rows => rows;

    public string ToText()
    {
        var cells = rows.Select(Cells).ToList();
        var widths = Headers.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        var sb = new StringBuilder();
        AppendLine(sb, Headers, widths);
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var c in cells)
        {
            AppendLine(sb, c, widths);
        }

        foreach (var failure in failures)
        {
            sb.Append("FAILED: ").AppendLine(failure);
        }

        sb.Append("Machine: ").AppendLine(machine.Describe());
        return sb.ToString();
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("Machine: ").Append(machine.Describe()).AppendLine(quick ? " (quick run: smoke sizes, not a measurement)" : "");
        sb.AppendLine();
        sb.Append("| ").Append(string.Join(" | ", Headers)).AppendLine(" |");
        sb.Append('|').Append(string.Concat(Headers.Select((_, i) => i >= 3 && i <= 5 ? " ---: |" : " --- |"))).AppendLine();
        foreach (var row in rows)
        {
            sb.Append("| ").Append(string.Join(" | ", Cells(row).Select(c => c.Replace("|", "\\|", StringComparison.Ordinal)))).AppendLine(" |");
        }

        var notes = rows.Where(r => !string.IsNullOrEmpty(r.Note)).ToList();
        if (notes.Count > 0)
        {
            sb.AppendLine();
            foreach (var row in notes)
            {
                sb.Append("- ").Append(row.Name).Append(" / ").Append(row.Metric).Append(": ").AppendLine(row.Note);
            }
        }

        foreach (var failure in failures)
        {
            sb.AppendLine().Append("FAILED: ").AppendLine(failure);
        }

        return sb.ToString();
    }

    public string ToJson()
    {
        var document = new
        {
            machine = new { cpu = machine.Cpu, cores = machine.Cores, os = machine.Os, runtime = machine.Runtime, memoryGb = machine.MemoryGb, date = machine.Date },
            quick,
            rows = rows.Select(r => new
            {
                benchmark = r.Benchmark,
                name = r.Name,
                metric = r.Metric,
                value = Finite(r.Value),
                unit = r.Unit,
                baseline = r.Baseline is { } b ? Finite(b) : null,
                baselineName = r.BaselineName,
                ratio = r.Ratio is { } q ? Finite(q) : null,
                target = r.Target is null ? null : r.Target.Describe(r.Unit),
                pass = r.Pass,
                note = r.Note,
            }),
            failures,
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public async Task WriteAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "results.json"), ToJson(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "results.md"), ToMarkdown(), cancellationToken);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static string[] Cells(BenchmarkRow row) =>
    [
        row.Benchmark,
        row.Name,
        row.Metric,
        Format(row.Value) + " " + row.Unit,
        row.Baseline is { } b ? Format(b) + " " + row.Unit + (row.BaselineName is null ? "" : $" ({row.BaselineName})") : "",
        row.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "",
        row.Target?.Describe(row.Unit) ?? "",
        row.Pass switch { true => "pass", false => "FAIL", null => "" },
    ];

    private static string Format(double value) => Math.Abs(value) switch
    {
        double.NaN => "n/a",
        >= 1000 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("0.0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.00", CultureInfo.InvariantCulture),
        _ => value.ToString("0.000", CultureInfo.InvariantCulture),
    };

    private static void AppendLine(StringBuilder sb, IReadOnlyList<string> cells, int[] widths)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            // Numbers right-aligned, words left-aligned.
            var cell = i is >= 3 and <= 5 ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]);
            sb.Append(cell);
            if (i < cells.Count - 1)
            {
                sb.Append("  ");
            }
        }

        sb.Length = sb.ToString().TrimEnd().Length;
        sb.AppendLine();
    }
}
