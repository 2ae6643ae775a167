using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using RagFood.Core.VectorStores;
using RagFood.Transfer.Sources;

namespace RagFood.Transfer.Export;

/// <summary>Reads a RagFood export file (plain or gzip), streamed.</summary>
/// <remarks><see cref="DescribeAsync"/> reads the whole file once and refuses a corrupt line, a missing end line
/// (a truncated file) or counts that disagree with the end line, so a restore fails before it writes anything.</remarks>
public sealed class ExportFileSource(string path) : IRecordSource
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Name => "export:" + Path;

    public IVectorStore? QueryableStore => null;

    /// <summary>The header, once described.</summary>
    public ExportHeader? Header { get; private set; }

    public async Task<SourceDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Path))
        {
            throw new TransferInputException($"The export file '{Path}' does not exist.");
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var vectors = 0L;
        var records = 0L;
        Dictionary<string, long>? endCounts = null;
        ExportHeader? header = null;
        var lineNumber = 0L;
        TransferInputException? unreadable = null;
        try
        {
            await foreach (var line in ReadLinesAsync(cancellationToken).ConfigureAwait(false))
            {
                lineNumber++;
                if (lineNumber == 1)
                {
                    header = ExportFormat.ReadHeader(line, Path);
                    continue;
                }

                if (endCounts is not null)
                {
                    throw new TransferInputException($"'{Path}' line {lineNumber}: data after the end line; the file is corrupt.");
                }

                if (unreadable is not null)
                {
                    throw unreadable;
                }

                JsonDocument document;
                try
                {
                    document = Parse(line, lineNumber);
                }
                catch (TransferInputException ex)
                {
                    // Corrupt if another line follows; cut off in the middle of a record if this was the last.
                    unreadable = ex;
                    continue;
                }

                using var owned = document;
                var root = document.RootElement;
                if (root.TryGetProperty("end", out _))
                {
                    endCounts = ExportFormat.ReadCounts(root);
                    continue;
                }

                var (ns, record) = ToRecord(root, lineNumber, includeVectors: false);
                _ = record;
                counts[ns] = counts.GetValueOrDefault(ns) + 1;
                records++;
                if (root.TryGetProperty("vector", out var v) && v.GetArrayLength() > 0)
                {
                    vectors++;
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new TransferInputException($"'{Path}' is not readable as an export (gzip stream damaged near line {lineNumber + 1}): {ex.Message}", ex);
        }

        if (header is null)
        {
            throw new TransferInputException($"'{Path}' is empty; it is not a RagFood export file.");
        }

        if (unreadable is not null)
        {
            throw new TransferInputException($"'{Path}' is truncated: it ends in the middle of a record at line {lineNumber}, after {records} complete records (the export did not finish, or the file was cut).", unreadable);
        }

        if (endCounts is null)
        {
            throw new TransferInputException($"'{Path}' is truncated: it ends after {records} records without its end line (the export did not finish, or the file was cut).");
        }

        foreach (var (ns, count) in endCounts)
        {
            if (counts.GetValueOrDefault(ns) != count)
            {
                throw new TransferInputException($"'{Path}' is corrupt: its end line counts {count} records in namespace '{ns}', the file holds {counts.GetValueOrDefault(ns)}.");
            }

            counts.TryAdd(ns, 0);
        }

        Header = header;
        var readable = records > 0 && vectors == records && header.Space is not null;
        return new SourceDescription(Name, header.Space, counts)
        {
            VectorsReadable = readable,
            Note = readable || records == 0 ? null : "the export holds no vectors (or not for every record); restore it in text mode",
        };
    }

    public async IAsyncEnumerable<RecordPage> ReadAsync(string @namespace, int pageSize, bool includeVectors, string position, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var skip = SequentialPosition.Parse(position, Name);
        var seen = 0L;
        var page = new List<VectorRecord>(pageSize);
        var lineNumber = 0L;
        await foreach (var line in ReadLinesAsync(cancellationToken).ConfigureAwait(false))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                continue;
            }

            using var document = Parse(line, lineNumber);
            var root = document.RootElement;
            if (root.TryGetProperty("end", out _))
            {
                break;
            }

            if (!root.TryGetProperty("ns", out var ns) || ns.GetString() != @namespace)
            {
                continue;
            }

            seen++;
            if (seen <= skip)
            {
                continue;
            }

            page.Add(ToRecord(root, lineNumber, includeVectors).Record);
            if (page.Count == pageSize)
            {
                yield return new RecordPage(page, SequentialPosition.After(seen));
                page = new List<VectorRecord>(pageSize);
            }
        }

        yield return new RecordPage(page, SequentialPosition.After(seen));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async IAsyncEnumerable<string> ReadLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = ExportFormat.OpenRead(Path);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 64 * 1024);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0)
                {
                    yield return line;
                }
            }
        }
    }

    private JsonDocument Parse(string line, long lineNumber)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new TransferInputException($"'{Path}' line {lineNumber} is not valid JSON ({ex.Message}); the file is corrupt.", ex);
        }
    }

    private (string Namespace, VectorRecord Record) ToRecord(JsonElement root, long lineNumber, bool includeVectors)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString())
            || !root.TryGetProperty("ns", out var ns) || ns.ValueKind != JsonValueKind.String)
        {
            throw new TransferInputException($"'{Path}' line {lineNumber} is not a record (it needs string \"ns\" and \"id\"); the file is corrupt.");
        }

        float[]? vector = null;
        if (root.TryGetProperty("vector", out var v))
        {
            if (v.ValueKind != JsonValueKind.Array)
            {
                throw new TransferInputException($"'{Path}' line {lineNumber}: \"vector\" is not an array; the file is corrupt.");
            }

            if (includeVectors)
            {
                vector = new float[v.GetArrayLength()];
                var i = 0;
                foreach (var value in v.EnumerateArray())
                {
                    vector[i++] = value.GetSingle();
                }
            }
        }

        var metadata = root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m.Clone() : (JsonElement?)null;
        var text = root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        return (ns.GetString()!, new VectorRecord(id.GetString()!) { Text = text, Metadata = metadata, Vector = vector });
    }
}
