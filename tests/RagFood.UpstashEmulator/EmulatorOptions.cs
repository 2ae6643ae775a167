namespace RagFood.UpstashEmulator;

/// <summary>Index layout, as chosen when an Upstash index is created.</summary>
public enum EmulatedIndexType
{
    Dense,
    Sparse,
    Hybrid,
}

/// <summary>Dense similarity functions with Upstash's semantics (§5.1 of the wire specification).</summary>
public enum EmulatedSimilarity
{
    Cosine,
    Euclidean,
    DotProduct,
}

/// <summary>Configuration of one emulated index (section <c>Emulator</c> when run by hand).</summary>
/// <remarks>
/// Everything here is fixed for the life of the process, like an Upstash index's creation settings, except
/// <see cref="Faults"/>, which the admin endpoint (<c>/__admin/faults</c>) can change at run time.
/// </remarks>
public sealed class EmulatorOptions
{
    public EmulatedIndexType IndexType { get; set; } = EmulatedIndexType.Dense;

    /// <summary>Dense dimension (ignored for sparse indexes).</summary>
    public int Dimension { get; set; } = 1024;

    public EmulatedSimilarity Similarity { get; set; } = EmulatedSimilarity.Cosine;

    /// <summary>Hosted dense embedding model: empty = none (data endpoints answer 422).</summary>
    /// <remarks><c>builtin</c> reports the embedder's own model id (RagFood's hashing embedder by default, so
    /// the emulator shares an embedding space with the embedded SQLite store); any other value is reported
    /// verbatim in <c>/info</c> while the configured embedder does the work.</remarks>
    public string EmbeddingModel { get; set; } = "";

    /// <summary>Hosted sparse embedding model: empty = none; any value (e.g. <c>BM25</c>) uses a built-in
    /// hashed term-frequency embedder.</summary>
    public string SparseEmbeddingModel { get; set; } = "";

    /// <summary>The read-write token (<c>Authorization: Bearer …</c>).</summary>
    public string Token { get; set; } = "emulator-token";

    /// <summary>A token that may only read; empty disables it.</summary>
    public string ReadOnlyToken { get; set; } = "emulator-readonly-token";

    /// <summary>Index name used in error messages (e.g. unknown namespace).</summary>
    public string IndexName { get; set; } = "ragfood-emulator";

    /// <summary>When set, data is loaded from this file at start and written back after each write and at shutdown.</summary>
    public string? SnapshotPath { get; set; }

    public int MaxTopK { get; set; } = 1000;

    public int MaxRangeLimit { get; set; } = 1000;

    /// <summary>Most records a fetch by prefix returns (documented as 1000).</summary>
    public int MaxFetchPrefix { get; set; } = 1000;

    /// <summary>Fault injection at start; see <see cref="FaultSettings"/>.</summary>
    public FaultSettings Faults { get; set; } = new();
}

/// <summary>Faults the emulator injects into data requests (never into <c>/__admin/*</c>).</summary>
/// <remarks>
/// Rates are spread deterministically, not drawn at random: with <see cref="Rate503"/> = 0.5 exactly every
/// second request fails, so a test that relies on a retry recovering cannot be unlucky.
/// </remarks>
public sealed record FaultSettings
{
    /// <summary>Fraction of requests answered 429 (rate limited).</summary>
    public double Rate429 { get; init; }

    /// <summary>Fraction of requests answered 503 (unavailable).</summary>
    public double Rate503 { get; init; }

    /// <summary>Delay added before every request is handled.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Accept requests and never answer until the client gives up.</summary>
    public bool BlackHole { get; init; }

    /// <summary>Requests allowed per UTC day; beyond it Upstash's rate-limit error (429). Null = unlimited.</summary>
    public long? DailyQuota { get; init; }

    /// <summary>When set, injected 429/503 answers carry <c>Retry-After: n</c> (seconds).</summary>
    public int? RetryAfterSeconds { get; init; }
}
