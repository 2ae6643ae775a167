using System.Runtime.CompilerServices;
using RagFood.Core.VectorStores;

namespace RagFood.Transfer.Sources;

/// <summary>Reads a configured <see cref="IVectorStore"/> with its range operation (cursor pages).</summary>
public sealed class StoreRecordSource(IVectorStore store, string? name = null) : IRecordSource
{
    /// <summary>Position after the last page: the store's "no further record" cursor is <c>""</c>, which would restart.</summary>
    internal const string EndPosition = "\u0000end";

    public string Name { get; } = name ?? store.Name;

    public IVectorStore? QueryableStore => store;

    public async Task<SourceDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        var info = await store.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var space = string.IsNullOrEmpty(info.EmbeddingModel) || info.Dimension <= 0 ? null : info.Space;
        return new SourceDescription(Name, space, info.Namespaces);
    }

    public async IAsyncEnumerable<RecordPage> ReadAsync(string @namespace, int pageSize, bool includeVectors, string position, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var cursor = position;
        while (cursor != EndPosition)
        {
            var page = await store.RangeAsync(new RangeRequest
            {
                Cursor = cursor,
                Limit = pageSize,
                Include = new Include(includeVectors, Metadata: true, Text: true),
                Namespace = @namespace,
            }, cancellationToken).ConfigureAwait(false);
            cursor = page.NextCursor.Length == 0 ? EndPosition : page.NextCursor;
            if (page.Records.Count > 0 || cursor == EndPosition)
            {
                yield return new RecordPage(page.Records, cursor);
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
