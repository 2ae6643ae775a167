using System.Runtime.CompilerServices;
using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma;
using RagFood.Transfer;
using RagFood.Transfer.Sources;

namespace RagFood.Server.Transfer;

/// <summary>A legacy <c>chroma_db</c> directory as a transfer source, over <see cref="ChromaLegacyReader"/> (no server needed).</summary>
/// <remarks>Everything is in the default namespace. Vectors are readable only while they are still in Chroma's
/// write-ahead log (see <see cref="ChromaLegacyReader"/>); the description says when they are not, and text mode
/// still works. The embedding space is the model recorded on the collection, else <paramref name="embeddingModel"/>.</remarks>
internal sealed class ChromaDbRecordSource(string path, string collection, string? embeddingModel) : IRecordSource
{
    public string Name => $"chroma_db:{path}#{collection}";

    public IVectorStore? QueryableStore => null;

    public async Task<SourceDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        await using var reader = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var collections = await reader.ListCollectionsAsync(cancellationToken).ConfigureAwait(false);
        var found = collections.FirstOrDefault(c => c.Name == collection)
            ?? throw new TransferInputException($"The chroma_db at '{path}' has no collection '{collection}' (it has: {string.Join(", ", collections.Select(c => c.Name))}).");
        long withVectors = 0;
        long records = 0;
        await foreach (var record in reader.ReadRecordsAsync(collection, includeVectors: true, cancellationToken).ConfigureAwait(false))
        {
            records++;
            if (record.Vector is { Length: > 0 })
            {
                withVectors++;
            }
        }

        var model = found.EmbeddingModel ?? (string.IsNullOrWhiteSpace(embeddingModel) ? null : embeddingModel);
        var space = model is not null && found.Dimension is { } dimension ? new EmbeddingSpace(model, dimension) : null;
        string? note = null;
        if (withVectors < records)
        {
            note = $"{records - withVectors} of {records} vectors are not readable (they are no longer in Chroma's write-ahead log, only in its HNSW files, which are not parsed); text mode still works";
        }
        else if (model is null && records > 0)
        {
            note = "the collection does not record its embedding model; name it to copy vectors";
        }

        return new SourceDescription(Name, space, new Dictionary<string, long> { [""] = records })
        {
            VectorsReadable = records > 0 && withVectors == records,
            Note = note,
        };
    }

    public async IAsyncEnumerable<RecordPage> ReadAsync(string @namespace, int pageSize, bool includeVectors, string position, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (@namespace.Length != 0)
        {
            yield break;
        }

        var skip = position.Length == 0 ? 0 : long.Parse(position, System.Globalization.CultureInfo.InvariantCulture);
        await using var reader = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var seen = 0L;
        var page = new List<VectorRecord>(pageSize);
        await foreach (var record in reader.ReadRecordsAsync(collection, includeVectors, cancellationToken).ConfigureAwait(false))
        {
            seen++;
            if (seen <= skip)
            {
                continue;
            }

            page.Add(record);
            if (page.Count == pageSize)
            {
                yield return new RecordPage(page, seen.ToString(System.Globalization.CultureInfo.InvariantCulture));
                page = new List<VectorRecord>(pageSize);
            }
        }

        yield return new RecordPage(page, seen.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<ChromaLegacyReader> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ChromaLegacyReader.OpenAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException ex)
        {
            throw new TransferInputException($"The chroma_db source '{path}' cannot be read: {ex.Message}", ex);
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            throw new TransferInputException($"The chroma_db source '{path}' is not a readable Chroma database: {ex.Message}", ex);
        }
    }
}
