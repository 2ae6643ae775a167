using System.Text.Json;
using RagFood.Core.Corpus;
using RagFood.Core.VectorStores;

namespace RagFood.Transfer;

/// <summary>Joins source records by id to a food corpus, restoring the record RagFood's ingestion would have written.</summary>
/// <remarks>The legacy app stored raw texts and no metadata; ingestion stores <see cref="FoodItem.EnrichedText"/> and
/// <see cref="FoodItem.ToMetadata"/>. A joined record takes both from the corpus item (exactly, so its content hash
/// equals <see cref="FoodItem.ContentHash"/>) and keeps the source's vector. A record whose id the corpus lacks is
/// copied as it is and reported; corpus ids never seen in the source are reported at the end.</remarks>
public sealed class CorpusJoin
{
    private readonly Dictionary<string, FoodItem> _items;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    private CorpusJoin(string path, Dictionary<string, FoodItem> items, int problems)
    {
        Path = path;
        _items = items;
        Problems = problems;
    }

    public string Path { get; }

    public int Count => _items.Count;

    /// <summary>Corpus items the loader could not use.</summary>
    public int Problems { get; }

    /// <summary>Loads a corpus in any schema the loader reads.</summary>
    /// <exception cref="TransferInputException">The file is missing or not a corpus.</exception>
    public static async Task<CorpusJoin> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new TransferInputException($"The corpus file '{full}' does not exist.");
        }

        CorpusLoadResult loaded;
        try
        {
            loaded = await FoodCorpusLoader.LoadFileAsync(full, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new TransferInputException($"The corpus file '{full}' is not a food corpus: {ex.Message}", ex);
        }

        return new CorpusJoin(full, loaded.Items.ToDictionary(i => i.Id, StringComparer.Ordinal), loaded.Problems.Count);
    }

    /// <summary>The record as ingestion builds it when the corpus has its id; the record itself otherwise.</summary>
    public VectorRecord Apply(VectorRecord record, out bool joined)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_seen)
        {
            _seen.Add(record.Id);
        }

        if (!_items.TryGetValue(record.Id, out var item))
        {
            joined = false;
            return record;
        }

        joined = true;
        return record with { Text = item.EnrichedText, Metadata = item.ToMetadata() };
    }

    /// <summary><see cref="Apply(VectorRecord, out bool)"/> without the flag, for verification.</summary>
    public VectorRecord Apply(VectorRecord record) => Apply(record, out _);

    /// <summary>Corpus ids not seen in the source so far (all of them, sorted).</summary>
    public IReadOnlyList<string> UnseenCorpusIds()
    {
        lock (_seen)
        {
            return _items.Keys.Where(id => !_seen.Contains(id)).Order(StringComparer.Ordinal).ToList();
        }
    }
}
