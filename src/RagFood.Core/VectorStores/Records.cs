using System.Text.Json;
using RagFood.Core.Filtering;

namespace RagFood.Core.VectorStores;

/// <summary>A stored record. <see cref="Metadata"/>, when present, is a JSON object.</summary>
public sealed record VectorRecord(string Id)
{
    /// <summary>The text the vector was embedded from (Upstash's <c>data</c>, Chroma's document).</summary>
    public string? Text { get; init; }

    /// <summary>The record's vector; <c>null</c> on writes means "embed <see cref="Text"/>".</summary>
    public float[]? Vector { get; init; }

    /// <summary>Filterable metadata: a JSON object, or <c>null</c> for none.</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>A query match. <see cref="Score"/> is a similarity in [0, 1], higher is closer.</summary>
public sealed record ScoredRecord(string Id, float Score)
{
    public string? Text { get; init; }
    public float[]? Vector { get; init; }
    public JsonElement? Metadata { get; init; }

    /// <summary>The store's own value (e.g. a Chroma distance) when it differs from <see cref="Score"/>.</summary>
    public double? RawScore { get; init; }
}

/// <summary>What to include in returned records.</summary>
public readonly record struct Include(bool Vectors = false, bool Metadata = true, bool Text = true)
{
    public static Include Default => new(false, true, true);
    public static Include All => new(true, true, true);
    public static Include None => new(false, false, false);
}

public sealed record UpsertRequest(IReadOnlyList<VectorRecord> Records)
{
    public string Namespace { get; init; } = "";
}

/// <summary>Outcome of an upsert; <see cref="WrittenIds"/> lists what was durably written.</summary>
public sealed record UpsertResult(int Upserted)
{
    public IReadOnlyList<string> WrittenIds { get; init; } = [];
}

/// <summary>A similarity query by text (embedded by the store) or by vector: exactly one of the two.</summary>
public sealed record VectorQuery
{
    public string? Text { get; init; }
    public float[]? Vector { get; init; }
    public int TopK { get; init; } = 10;
    public MetadataFilter? Filter { get; init; }
    public Include Include { get; init; } = Include.Default;
    public string Namespace { get; init; } = "";

    public static VectorQuery ForText(string text, int topK = 10) => new() { Text = text, TopK = topK };
    public static VectorQuery ForVector(float[] vector, int topK = 10) => new() { Vector = vector, TopK = topK };
}

/// <summary>Fetch by <see cref="Ids"/> or by <see cref="Prefix"/>: exactly one of the two.</summary>
public sealed record FetchRequest
{
    public IReadOnlyList<string>? Ids { get; init; }
    public string? Prefix { get; init; }
    public Include Include { get; init; } = Include.Default;
    public string Namespace { get; init; } = "";

    public static FetchRequest ByIds(params string[] ids) => new() { Ids = ids };
    public static FetchRequest ByPrefix(string prefix) => new() { Prefix = prefix };
}

/// <summary>Delete by <see cref="Ids"/>, <see cref="Prefix"/> or <see cref="Filter"/>: exactly one.</summary>
public sealed record DeleteRequest
{
    public IReadOnlyList<string>? Ids { get; init; }
    public string? Prefix { get; init; }
    public MetadataFilter? Filter { get; init; }
    public string Namespace { get; init; } = "";

    public static DeleteRequest ByIds(params string[] ids) => new() { Ids = ids };
}

/// <summary>One page of a namespace in insertion order. Cursor <c>""</c> or <c>"0"</c> starts at the beginning.</summary>
public sealed record RangeRequest
{
    public string Cursor { get; init; } = "";
    public int Limit { get; init; } = 100;
    public string? Prefix { get; init; }
    public Include Include { get; init; } = Include.Default;
    public string Namespace { get; init; } = "";
}

/// <summary>A page of records; <see cref="NextCursor"/> is <c>""</c> exactly when no further record exists.</summary>
public sealed record RangePage(string NextCursor, IReadOnlyList<VectorRecord> Records);

/// <summary>Dense similarity functions, with Upstash's names.</summary>
public enum SimilarityFunction
{
    Cosine,
    Euclidean,
    DotProduct,
}

/// <summary>The embedding space a store lives in: which model wrote its vectors and their dimension.</summary>
public sealed record EmbeddingSpace(string Model, int Dimension)
{
    public override string ToString() => $"{Model} ({Dimension}-d)";
}

/// <summary>Store description and counts.</summary>
public sealed record VectorStoreInfo(string Store, long VectorCount, int Dimension, SimilarityFunction Similarity, string EmbeddingModel)
{
    /// <summary>Record count per namespace; always contains <c>""</c>.</summary>
    public IReadOnlyDictionary<string, long> Namespaces { get; init; } = new Dictionary<string, long> { [""] = 0 };

    public EmbeddingSpace Space => new(EmbeddingModel, Dimension);
}
