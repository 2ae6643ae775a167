using System.Buffers;
using System.Text.Json;

namespace RagFood.UpstashEmulator;

/// <summary>Optional persistence: the whole index as one JSON file, rewritten atomically after each write.</summary>
/// <remarks>Written inside the index lock, so snapshots are never torn or reordered; this is a test tool, and
/// a rewrite per write is the simplest thing that makes a restart keep the data.</remarks>
internal sealed class Snapshot(string path, VectorIndex index)
{
    public void Load()
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var type = root.GetProperty("indexType").GetString();
        var dimension = root.GetProperty("dimension").GetInt32();
        if (!string.Equals(type, index.Options.IndexType.ToString(), StringComparison.OrdinalIgnoreCase)
            || (index.HasDense && dimension != index.Options.Dimension))
        {
            throw new InvalidOperationException(
                $"Snapshot {path} holds a {type} index of dimension {dimension}; the emulator was started as {index.Options.IndexType} with dimension {index.Options.Dimension}.");
        }

        foreach (var ns in root.GetProperty("namespaces").EnumerateArray())
        {
            var data = new NamespaceData();
            var nextSeq = ns.GetProperty("nextSeq").GetInt64();
            foreach (var item in ns.GetProperty("records").EnumerateArray())
            {
                var input = new RecordInput(item.GetProperty("id").GetString()!)
                {
                    Vector = Json.TryGet(item, "vector", out var v) ? Json.Floats(v, "vector") : null,
                    Sparse = Json.TryGet(item, "sparseVector", out var s) ? Json.Sparse(s) : null,
                    Metadata = Json.TryGet(item, "metadata", out var m) ? m.Clone() : null,
                    Data = Json.String(item, "data"),
                };
                data.Restore(NamespaceData.ToStored(input, item.GetProperty("seq").GetInt64()), nextSeq);
            }

            index.Restore(ns.GetProperty("name").GetString()!, data);
        }
    }

    /// <summary>Called under the index lock.</summary>
    public void Save(IReadOnlyDictionary<string, NamespaceData> namespaces)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("indexType", index.Options.IndexType.ToString().ToUpperInvariant());
            writer.WriteNumber("dimension", index.Options.Dimension);
            writer.WriteStartArray("namespaces");
            foreach (var (name, data) in namespaces)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteNumber("nextSeq", data.NextSeq);
                writer.WriteStartArray("records");
                foreach (var record in data.Live)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", record.Id);
                    writer.WriteNumber("seq", record.Seq);
                    if (record.Vector is { } vector)
                    {
                        writer.WriteStartArray("vector");
                        foreach (var value in vector)
                        {
                            writer.WriteNumberValue(value);
                        }

                        writer.WriteEndArray();
                    }

                    if (record.Sparse is { } sparse)
                    {
                        Json.WriteSparse(writer, "sparseVector", sparse);
                    }

                    if (record.Metadata is { } metadata)
                    {
                        writer.WritePropertyName("metadata");
                        metadata.WriteTo(writer);
                    }

                    if (record.Data is { } text)
                    {
                        writer.WriteString("data", text);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, buffer.WrittenSpan.ToArray());
        File.Move(temporary, path, overwrite: true);
    }
}
