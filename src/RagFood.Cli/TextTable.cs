using System.Text;

namespace RagFood.Cli;

/// <summary>A plain, aligned text table for people; columns padded to their widest cell.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];
    private readonly HashSet<int> _rightAligned = [];

    public TextTable AlignRight(params int[] columns)
    {
        _rightAligned.UnionWith(columns);
        return this;
    }

    public void Add(params string[] cells) => _rows.Add(cells);

    public int Count => _rows.Count;

    public void WriteTo(TextWriter writer)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        Write(writer, headers, widths);
        Write(writer, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in _rows)
        {
            Write(writer, row, widths);
        }
    }

    private void Write(TextWriter writer, string[] cells, int[] widths)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Length ? cells[i] : "";
            sb.Append(_rightAligned.Contains(i) ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            if (i < widths.Length - 1)
            {
                sb.Append("  ");
            }
        }

        writer.WriteLine(sb.ToString().TrimEnd());
    }

    /// <summary>Shortens <paramref name="text"/> to one line of at most <paramref name="max"/> characters.</summary>
    public static string Clip(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
