using System.Text.Json;
using static RagFood.Core.VectorStores.Kernel.VectorStoreLimits;

namespace RagFood.Core.VectorStores.Kernel;

/// <summary>The argument rules of the <see cref="IVectorStore"/> contract, checked once per call before any I/O.</summary>
/// <remarks>
/// <para>Every store calls the check for its operation first thing; the gRPC edge calls the same checks, so a
/// request is refused with the same message wherever it enters. Each rule throws one message (see
/// <see cref="VectorStoreMessages"/>) as an <see cref="ArgumentException"/>. The rules and their limits are listed in
/// <c>docs/provider-kernel.md</c>.</para>
/// <para>What a backend cannot do on top of these (Chroma's collection-name alphabet, a store's dimension, a cursor
/// format) the store checks itself, also before any I/O, and refuses with its own message.</para>
/// </remarks>
public static class VectorStoreRules
{
    /// <summary>Checks a namespace: not null, at most <see cref="MaxNamespaceLength"/> characters, no control characters,
    /// no path separators and no <c>..</c>. <c>""</c> is the default namespace.</summary>
    public static string Namespace(string? @namespace)
    {
        if (@namespace is null)
        {
            throw new ArgumentNullException(nameof(@namespace), VectorStoreMessages.NamespaceNull);
        }

        if (@namespace.Length > MaxNamespaceLength)
        {
            throw Invalid(VectorStoreMessages.NamespaceTooLong(@namespace.Length), "namespace");
        }

        if (HasControlCharacter(@namespace))
        {
            throw Invalid(VectorStoreMessages.NamespaceControlCharacter, "namespace");
        }

        if (@namespace.Contains('/') || @namespace.Contains('\\') || @namespace.Contains("..", StringComparison.Ordinal))
        {
            throw Invalid(VectorStoreMessages.NamespacePath(@namespace), "namespace");
        }

        return @namespace;
    }

    /// <summary>Checks a namespace that is about to be deleted: the namespace rules, and not the default one.</summary>
    public static string NamespaceToDelete(string? @namespace)
    {
        var checkedNamespace = Namespace(@namespace);
        return checkedNamespace.Length == 0 ? throw Invalid(VectorStoreMessages.DefaultNamespaceDelete, "namespace") : checkedNamespace;
    }

    /// <summary>Checks one record id: not empty or whitespace-only, at most <see cref="MaxIdLength"/> characters,
    /// no control characters (NUL, ESC, CR, LF, ...).</summary>
    public static string Id(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw Invalid(VectorStoreMessages.IdEmpty, "id");
        }

        if (id.Length > MaxIdLength)
        {
            throw Invalid(VectorStoreMessages.IdTooLong(id.Length), "id");
        }

        if (HasControlCharacter(id))
        {
            throw Invalid(VectorStoreMessages.IdControlCharacter(id), "id");
        }

        return id;
    }

    /// <summary>Checks an id list for fetch or delete: at most <see cref="MaxBatchSize"/> ids, each a valid id.
    /// An empty list is allowed (fetch returns nothing, delete removes nothing).</summary>
    public static void Ids(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count > MaxBatchSize)
        {
            throw Invalid(VectorStoreMessages.TooManyIds(ids.Count), "ids");
        }

        foreach (var id in ids)
        {
            Id(id);
        }
    }

    /// <summary>Checks an upsert and returns its records with duplicate ids removed (the last occurrence wins, in its
    /// own position). An empty upsert is valid and returns no records: every store then answers 0 without I/O.</summary>
    public static IReadOnlyList<VectorRecord> Upsert(UpsertRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Namespace(request.Namespace);
        var records = request.Records ?? throw new ArgumentNullException(nameof(request), VectorStoreMessages.RecordsNull);
        if (records.Count > MaxBatchSize)
        {
            throw Invalid(VectorStoreMessages.TooManyRecords(records.Count), "records");
        }

        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        var dimension = 0;
        string? dimensionSource = null;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i] ?? throw Invalid(VectorStoreMessages.RecordNull(i), "records");
            Id(record.Id);
            if (record.Vector is { } vector)
            {
                Vector(vector, $"The vector of record '{record.Id}'");
                if (dimensionSource is null)
                {
                    (dimension, dimensionSource) = (vector.Length, record.Id);
                }
                else if (vector.Length != dimension)
                {
                    throw Invalid(VectorStoreMessages.MixedDimensions(record.Id, vector.Length, dimensionSource, dimension), "records");
                }
            }
            else if (string.IsNullOrWhiteSpace(record.Text))
            {
                throw Invalid(VectorStoreMessages.NothingToEmbed(record.Id), "records");
            }

            Metadata(record.Id, record.Metadata);
            last[record.Id] = i;
        }

        return last.Count == records.Count ? records : [.. records.Where((r, i) => last[r.Id] == i)];
    }

    /// <summary>Checks a query: exactly one of text and vector, text not whitespace-only, a finite non-empty vector,
    /// top k 1..<see cref="MaxTopK"/>.</summary>
    public static void Query(VectorQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        Namespace(query.Namespace);
        if ((query.Text is null) == (query.Vector is null))
        {
            throw Invalid(VectorStoreMessages.QueryTextOrVector, "query");
        }

        if (query.Text is not null && string.IsNullOrWhiteSpace(query.Text))
        {
            throw Invalid(VectorStoreMessages.QueryTextEmpty, "query");
        }

        if (query.Vector is { } vector)
        {
            Vector(vector, "The query vector");
        }

        if (query.TopK is < 1 or > MaxTopK)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.TopK, VectorStoreMessages.TopK(query.TopK));
        }
    }

    /// <summary>Checks a fetch: exactly one of ids and prefix; the ids rules; a prefix without control characters.</summary>
    public static void Fetch(FetchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Namespace(request.Namespace);
        if ((request.Ids is null) == (request.Prefix is null))
        {
            throw Invalid(VectorStoreMessages.FetchSelector, "request");
        }

        if (request.Ids is { } ids)
        {
            Ids(ids);
        }
        else
        {
            Prefix(request.Prefix!);
        }
    }

    /// <summary>Checks a delete: exactly one of ids, prefix and filter; the ids rules; a prefix that is not empty
    /// (an empty prefix would delete the whole namespace: that is what reset is for).</summary>
    public static void Delete(DeleteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Namespace(request.Namespace);
        var selectors = (request.Ids is null ? 0 : 1) + (request.Prefix is null ? 0 : 1) + (request.Filter is null ? 0 : 1);
        if (selectors != 1)
        {
            throw Invalid(VectorStoreMessages.DeleteSelector, "request");
        }

        if (request.Ids is { } ids)
        {
            Ids(ids);
        }
        else if (request.Prefix is { } prefix)
        {
            if (prefix.Length == 0)
            {
                throw Invalid(VectorStoreMessages.DeleteEmptyPrefix, "request");
            }

            Prefix(prefix);
        }
    }

    /// <summary>Checks a range request: limit 1..<see cref="MaxBatchSize"/>, cursor not null, the prefix rules.</summary>
    public static void Range(RangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Namespace(request.Namespace);
        if (request.Limit is < 1 or > MaxBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.Limit, VectorStoreMessages.RangeLimit(request.Limit));
        }

        if (request.Cursor is null)
        {
            throw Invalid(VectorStoreMessages.CursorNull, "request");
        }

        if (request.Prefix is { } prefix)
        {
            Prefix(prefix);
        }
    }

    /// <summary>Checks a reset: the namespace rules unless every namespace is reset.</summary>
    public static void Reset(string? @namespace, bool all)
    {
        if (!all)
        {
            Namespace(@namespace);
        }
    }

    /// <summary>Checks a vector given by a caller: not empty, every component finite.</summary>
    /// <param name="vector">The vector.</param>
    /// <param name="what">How messages name it, e.g. "The query vector".</param>
    public static void Vector(float[] vector, string what)
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (vector.Length == 0)
        {
            throw Invalid(VectorStoreMessages.VectorEmpty(what), "vector");
        }

        foreach (var value in vector)
        {
            if (!float.IsFinite(value))
            {
                throw Invalid(VectorStoreMessages.VectorNotFinite(what), "vector");
            }
        }
    }

    /// <summary>Checks a caller's vector against the store's dimension (skipped while the dimension is unknown, 0).</summary>
    public static void Dimension(float[] vector, int dimension, string what, string storeName)
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (dimension > 0 && vector.Length != dimension)
        {
            throw Invalid(VectorStoreMessages.WrongDimension(what, vector.Length, storeName, dimension), "vector");
        }
    }

    /// <summary>Checks record metadata: <c>null</c> or a JSON object within the size, depth, key-length and
    /// key-count limits (<see cref="VectorStoreLimits"/>).</summary>
    public static void Metadata(string id, JsonElement? metadata)
    {
        if (metadata is not { } value || value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(VectorStoreMessages.MetadataNotObject(id, value.ValueKind), "metadata");
        }

        var keys = 0;
        Walk(value, 1);
        // The raw text is what was sent; only when it is over the limit is the compact form worth measuring.
        if (System.Text.Encoding.UTF8.GetByteCount(value.GetRawText()) > MaxMetadataBytes && CompactSize(value) is var size and > MaxMetadataBytes)
        {
            throw Invalid(VectorStoreMessages.MetadataTooLarge(id, size), "metadata");
        }

        void Walk(JsonElement element, int depth)
        {
            if (depth > MaxMetadataDepth)
            {
                throw Invalid(VectorStoreMessages.MetadataTooDeep(id), "metadata");
            }

            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (++keys > MaxMetadataKeys)
                    {
                        throw Invalid(VectorStoreMessages.MetadataTooManyKeys(id), "metadata");
                    }

                    if (property.Name.Length > MaxMetadataKeyLength)
                    {
                        throw Invalid(VectorStoreMessages.MetadataKeyTooLong(id, property.Name.Length), "metadata");
                    }

                    if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        Walk(property.Value, depth + 1);
                    }
                }
            }
            else
            {
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        Walk(item, depth + 1);
                    }
                }
            }
        }
    }

    /// <summary>True when <paramref name="value"/> holds a control character (C0, DEL or C1).</summary>
    public static bool HasControlCharacter(string value) => value.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') >= 0
        || value.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') >= 0;

    private static void Prefix(string prefix)
    {
        if (prefix.Length > MaxIdLength)
        {
            throw Invalid(VectorStoreMessages.PrefixTooLong(prefix.Length), "prefix");
        }

        if (HasControlCharacter(prefix))
        {
            throw Invalid(VectorStoreMessages.PrefixControlCharacter, "prefix");
        }
    }

    private static int CompactSize(JsonElement value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(MaxMetadataBytes);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            value.WriteTo(writer);
        }

        return buffer.WrittenCount;
    }

    private static ArgumentException Invalid(string message, string parameter) => new(message, parameter);
}
