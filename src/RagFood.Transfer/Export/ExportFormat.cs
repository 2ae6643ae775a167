using System.Globalization;
using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using RagFood.Core.VectorStores;

namespace RagFood.Transfer.Export;

/// <summary>The header line of an export file.</summary>
/// <param name="Version">Format version (<see cref="ExportFormat.Version"/>).</param>
/// <param name="Source">The store or file the records came from.</param>
/// <param name="Space">The embedding space of the exported vectors, null when unknown or none were exported.</param>
/// <param name="Counts">Records per namespace in the source when the export started.</param>
/// <param name="CreatedAt">When the export started (UTC).</param>
public sealed record ExportHeader(int Version, string Source, EmbeddingSpace? Space, IReadOnlyDictionary<string, long> Counts, DateTimeOffset CreatedAt);

/// <summary>RagFood's export file: JSON Lines, optionally gzip-compressed.</summary>
/// <remarks>
/// <para>Line 1, the header: <c>{"format":"ragfood-export","version":1,"source":…,"space":{"model":…,"dimension":…}|null,
/// "counts":{ns:n},"createdAt":…}</c>. Then one line per record, grouped by namespace:
/// <c>{"ns":…,"id":…,"text":…,"metadata":{…},"vector":[…]}</c> (text, metadata and vector omitted when absent). Last,
/// the end line: <c>{"end":true,"counts":{ns:n}}</c> with the records actually written. A file without its end line was
/// cut short and is refused.</para>
/// <para>Gzip is recognised by its magic bytes on reading, whatever the file name.</para>
/// </remarks>
public static class ExportFormat
{
    public const string FormatName = "ragfood-export";
    public const int Version = 1;

    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    internal static void WriteHeader(Utf8JsonWriter writer, ExportHeader header)
    {
        writer.WriteStartObject();
        writer.WriteString("format", FormatName);
        writer.WriteNumber("version", header.Version);
        writer.WriteString("source", header.Source);
        if (header.Space is { } space)
        {
            writer.WriteStartObject("space");
            writer.WriteString("model", space.Model);
            writer.WriteNumber("dimension", space.Dimension);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("space");
        }

        WriteCounts(writer, header.Counts);
        writer.WriteString("createdAt", header.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    }

    internal static void WriteRecord(Utf8JsonWriter writer, string @namespace, VectorRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("ns", @namespace);
        writer.WriteString("id", record.Id);
        if (record.Text is not null)
        {
            writer.WriteString("text", record.Text);
        }

        if (record.Metadata is { ValueKind: JsonValueKind.Object } metadata)
        {
            writer.WritePropertyName("metadata");
            metadata.WriteTo(writer);
        }

        if (record.Vector is { } vector)
        {
            writer.WriteStartArray("vector");
            foreach (var value in vector)
            {
                writer.WriteNumberValue(value);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    internal static void WriteEnd(Utf8JsonWriter writer, IReadOnlyDictionary<string, long> counts)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("end", true);
        WriteCounts(writer, counts);
        writer.WriteEndObject();
    }

    internal static ExportHeader ReadHeader(string line, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
            {
                throw new TransferInputException($"'{path}' is not a RagFood export file: its first line is not a {FormatName} header.");
            }

            var version = root.TryGetProperty("version", out var v) && v.TryGetInt32(out var n) ? n : 0;
            if (version != Version)
            {
                throw new TransferInputException($"'{path}' is a RagFood export of format version {version}; this build reads version {Version}.");
            }

            EmbeddingSpace? space = null;
            if (root.TryGetProperty("space", out var s) && s.ValueKind == JsonValueKind.Object)
            {
                space = new EmbeddingSpace(s.GetProperty("model").GetString() ?? "", s.GetProperty("dimension").GetInt32());
            }

            var created = root.TryGetProperty("createdAt", out var c) && c.TryGetDateTimeOffset(out var at) ? at : DateTimeOffset.MinValue;
            return new ExportHeader(version, root.TryGetProperty("source", out var src) ? src.GetString() ?? "" : "", space, ReadCounts(root), created);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new TransferInputException($"'{path}' has an unreadable export header: {ex.Message}", ex);
        }
    }

    internal static Dictionary<string, long> ReadCounts(JsonElement root)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (root.TryGetProperty("counts", out var c) && c.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in c.EnumerateObject())
            {
                counts[property.Name] = property.Value.GetInt64();
            }
        }

        return counts;
    }

    /// <summary>Opens an export file for reading, decompressing when it starts with the gzip magic bytes.</summary>
    internal static Stream OpenRead(string path)
    {
        Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        var read = file.Read(magic);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static void WriteCounts(Utf8JsonWriter writer, IReadOnlyDictionary<string, long> counts)
    {
        writer.WriteStartObject("counts");
        foreach (var (ns, count) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(ns, count);
        }

        writer.WriteEndObject();
    }
}
