using RagFood.Core.VectorStores;
using RagFood.Transfer.Sources;

namespace RagFood.Transfer.Sinks;

/// <summary>Writes into a configured <see cref="IVectorStore"/> with upserts.</summary>
/// <param name="store">The target store.</param>
/// <param name="maxBatchSize">The store's limit on records per upsert (Upstash: 1000).</param>
/// <param name="name">Name in reports; the store's own name by default.</param>
public sealed class StoreRecordSink(IVectorStore store, int maxBatchSize, string? name = null) : IRecordSink
{
    public string Name { get; } = name ?? store.Name;

    public int MaxBatchSize { get; } = maxBatchSize > 0 ? maxBatchSize : throw new ArgumentOutOfRangeException(nameof(maxBatchSize));

    public bool SupportsResume => true;

    public async Task<SinkDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        var info = await store.GetInfoAsync(cancellationToken).ConfigureAwait(false);
        var space = string.IsNullOrEmpty(info.EmbeddingModel) || info.Dimension <= 0 ? null : info.Space;
        return new SinkDescription(Name, space, info.Namespaces) { Dimension = info.Dimension };
    }

    public Task<IReadOnlyList<VectorRecord?>> FetchExistingAsync(string @namespace, IReadOnlyList<string> ids, bool includeVectors, CancellationToken cancellationToken = default) =>
        store.FetchAsync(new FetchRequest { Ids = ids, Include = new Include(includeVectors, Metadata: true, Text: true), Namespace = @namespace }, cancellationToken);

    public async Task WriteAsync(string @namespace, IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default) =>
        await store.UpsertAsync(new UpsertRequest(records) { Namespace = @namespace }, cancellationToken).ConfigureAwait(false);

    public Task CompleteAsync(SourceDescription source, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public IRecordSource OpenAsSource() => new StoreRecordSource(store, Name);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
