using RagFood.Core.VectorStores;

namespace RagFood.Transfer.Sources;

/// <summary>What a source holds: counts per namespace, its embedding space when known, and whether vectors are readable.</summary>
/// <param name="Name">Short description for reports ("chroma", "chroma_db:/data/chroma_db#foods", "export:/backups/x.jsonl").</param>
/// <param name="Space">The embedding space of the stored vectors; null when the source does not record it.</param>
/// <param name="Counts">Records per namespace.</param>
public sealed record SourceDescription(string Name, EmbeddingSpace? Space, IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>False when the source's vectors cannot be read (then only <c>text</c> mode can copy it).</summary>
    public bool VectorsReadable { get; init; } = true;

    /// <summary>Something the user should know about the source (e.g. why vectors are not readable).</summary>
    public string? Note { get; init; }

    public long Total => Counts.Values.Sum();
}

/// <summary>A page of records and the source position just after it.</summary>
/// <param name="Records">The records, in source order.</param>
/// <param name="Position">Where to resume after this page: pass it back to <see cref="IRecordSource.ReadAsync"/>.</param>
public sealed record RecordPage(IReadOnlyList<VectorRecord> Records, string Position);

/// <summary>Something a transfer reads from: a store, a legacy <c>chroma_db</c> directory, an export file.</summary>
/// <remarks>Reads are streamed page by page; nothing holds the whole source in memory. Positions are opaque strings
/// chosen by the source; a position returned with a page resumes just after that page.</remarks>
public interface IRecordSource : IAsyncDisposable
{
    /// <summary>Short name used in reports and errors.</summary>
    string Name { get; }

    /// <summary>A store that can be queried with the same records, for verification queries; null for files.</summary>
    IVectorStore? QueryableStore { get; }

    /// <summary>Describes the source, checking on the way that it exists and can be read.</summary>
    /// <exception cref="TransferInputException">The source is missing or unusable.</exception>
    Task<SourceDescription> DescribeAsync(CancellationToken cancellationToken = default);

    /// <summary>Streams one namespace from <paramref name="position"/> ("" = the beginning) in pages of at most
    /// <paramref name="pageSize"/> records.</summary>
    IAsyncEnumerable<RecordPage> ReadAsync(string @namespace, int pageSize, bool includeVectors, string position, CancellationToken cancellationToken = default);
}
