using System.Globalization;
using System.Text.Json;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Retrieval;

/// <summary>One calibrated relevance floor: matches scoring below <see cref="Floor"/> in this embedding space are not
/// relevant context.</summary>
/// <param name="Model">The embedding model id, exactly as the store reports it.</param>
/// <param name="Dimension">The vector dimension of the space.</param>
/// <param name="Floor">A score on RagFood's scale (similarity in [0, 1], (1 + cos) / 2 for cosine spaces).</param>
/// <param name="Note">How the floor was found (set, sizes, date); informational.</param>
public sealed record RelevanceFloor(string Model, int Dimension, double Floor, string? Note = null)
{
    /// <summary>The space this floor belongs to.</summary>
    public EmbeddingSpace Space => new(Model, Dimension);
}

/// <summary>The relevance floors per embedding space, as calibrated from <c>data/eval/</c> and kept in
/// <c>data/eval/relevance-floors.json</c>.</summary>
/// <remarks>
/// A floor belongs to one embedding space (model id and dimension): the same score means different things from
/// different models, so one number cannot serve every store. A space without an entry has no calibrated floor, and the
/// caller decides what applies (the RAG pipeline falls back to <c>Rag:MinScore</c>).
/// File format: <c>{ "floors": [ { "model": "...", "dimension": 384, "floor": 0.8, "note": "..." } ] }</c>.
/// </remarks>
public sealed class RelevanceFloors
{
    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Dictionary<EmbeddingSpace, RelevanceFloor> _bySpace;

    public RelevanceFloors(IEnumerable<RelevanceFloor> floors)
    {
        ArgumentNullException.ThrowIfNull(floors);
        _bySpace = new Dictionary<EmbeddingSpace, RelevanceFloor>();
        foreach (var floor in floors)
        {
            if (string.IsNullOrWhiteSpace(floor.Model) || floor.Dimension <= 0 || floor.Floor is < 0 or > 1 || double.IsNaN(floor.Floor))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Relevance floor for '{floor.Model}' ({floor.Dimension}) must name a model, a positive dimension and a floor in [0, 1] (got {floor.Floor})."),
                    nameof(floors));
            }

            _bySpace[floor.Space] = floor;
        }
    }

    /// <summary>No floors.</summary>
    public static RelevanceFloors Empty { get; } = new([]);

    /// <summary>Every floor, ordered by model id.</summary>
    public IReadOnlyList<RelevanceFloor> All => _bySpace.Values.OrderBy(f => f.Model, StringComparer.Ordinal).ThenBy(f => f.Dimension).ToList();

    /// <summary>The floor for <paramref name="space"/>, or <c>null</c> when that space has none.</summary>
    public RelevanceFloor? Find(EmbeddingSpace space) => _bySpace.GetValueOrDefault(space);

    /// <summary>These floors with <paramref name="floor"/> added or replacing the one for its space.</summary>
    public RelevanceFloors With(RelevanceFloor floor) => new(_bySpace.Values.Where(f => f.Space != floor.Space).Append(floor));

    /// <summary>Reads a floors file.</summary>
    /// <exception cref="FormatException">The file is not in the documented format.</exception>
    public static async Task<RelevanceFloors> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Parse(document.RootElement, path);
    }

    /// <summary>Reads a floors file synchronously (for options set-up, which cannot await).</summary>
    /// <exception cref="FormatException">The file is not in the documented format.</exception>
    public static RelevanceFloors Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return Parse(document.RootElement, path);
    }

    /// <summary>Writes the floors in the documented format.</summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        var body = new
        {
            scale = "similarity in [0, 1], higher is closer; cosine spaces: (1 + cos) / 2",
            floors = All.Select(f => new { model = f.Model, dimension = f.Dimension, floor = Math.Round(f.Floor, 4), note = f.Note }),
        };
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, body, WriteOptions, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    private static RelevanceFloors Parse(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("floors", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{source}: expected an object with a \"floors\" array.");
        }

        var floors = new List<RelevanceFloor>();
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("dimension", out var dimension) || !dimension.TryGetInt32(out var dim)
                || !item.TryGetProperty("floor", out var floor) || !floor.TryGetDouble(out var value))
            {
                throw new FormatException($"{source}: every floor needs \"model\" (string), \"dimension\" (integer) and \"floor\" (number).");
            }

            var note = item.TryGetProperty("note", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            floors.Add(new RelevanceFloor(model.GetString()!, dim, value, note));
        }

        try
        {
            return new RelevanceFloors(floors);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"{source}: {ex.Message}", ex);
        }
    }
}
