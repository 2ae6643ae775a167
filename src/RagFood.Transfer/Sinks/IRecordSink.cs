using RagFood.Core.VectorStores;
using RagFood.Transfer.Sources;

namespace RagFood.Transfer.Sinks;

/// <summary>What a target holds before a transfer: its embedding space (when it has one) and counts per namespace.</summary>
public sealed record SinkDescription(string Name, EmbeddingSpace? Space, IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>The target's vector dimension when it has one, even when it records no model (an Upstash custom-vector index).</summary>
    public int Dimension { get; init; }
}

/// <summary>Something a transfer writes to: a store or an export file.</summary>
/// <remarks>Writes are idempotent by id (an upsert replaces the whole record), so a batch written twice after a crash
/// leaves the same result. A write that returns is durable.</remarks>
public interface IRecordSink : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Most records one write may carry.</summary>
    int MaxBatchSize { get; }

    /// <summary>True when a killed run can continue where it stopped (a store); false when it starts again (a file).</summary>
    bool SupportsResume { get; }

    /// <summary>Describes the target, checking on the way that it is reachable and accepts the credentials.</summary>
    Task<SinkDescription> DescribeAsync(CancellationToken cancellationToken = default);

    /// <summary>The target's current records for <paramref name="ids"/> (aligned, null where absent), to skip unchanged ones.</summary>
    Task<IReadOnlyList<VectorRecord?>> FetchExistingAsync(string @namespace, IReadOnlyList<string> ids, bool includeVectors, CancellationToken cancellationToken = default);

    /// <summary>Writes one batch (at most <see cref="MaxBatchSize"/> records) durably.</summary>
    Task WriteAsync(string @namespace, IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Finishes the target after the last batch (a file is closed and moved into place).</summary>
    Task CompleteAsync(SourceDescription source, CancellationToken cancellationToken = default);

    /// <summary>The written data as a source, for verification after the transfer.</summary>
    IRecordSource OpenAsSource();
}
