using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Providers.Upstash;

/// <summary>Settings of the Upstash Vector store (configuration section <c>VectorStore:Upstash</c>).</summary>
/// <remarks>
/// <para><see cref="Url"/> and <see cref="Token"/> fall back to the conventional <c>UPSTASH_VECTOR_REST_URL</c> /
/// <c>UPSTASH_VECTOR_REST_TOKEN</c> environment variables, then to a <c>.env</c> file in the working directory
/// (filled in by <see cref="UpstashServiceCollectionExtensions"/>, not by the store).</para>
/// <para>Resilience: the settings shared by every HTTP store (<see cref="HttpResilienceOptions"/>), with the
/// client-side rate limiter (<see cref="RequestsPerSecond"/>) between the retries and the circuit breaker.</para>
/// </remarks>
public sealed class UpstashVectorStoreOptions : HttpResilienceOptions
{
    /// <summary>The configuration section the server binds.</summary>
    public const string SectionName = "VectorStore:Upstash";

    /// <summary>Upstash's documented upper bound on vectors per upsert request.</summary>
    public const int MaxBatchSize = 1000;

    /// <summary>The index's REST URL (<c>https://&lt;name&gt;-&lt;region&gt;-vector.upstash.io</c>).</summary>
    public string? Url { get; set; }

    /// <summary>The index's REST token (read-write, or read-only for a query-only deployment). Never logged.</summary>
    public string? Token { get; set; }

    /// <summary>The Upstash namespace used where callers pass RagFood's default namespace <c>""</c>.</summary>
    public string Namespace { get; set; } = "";

    /// <summary>Records per upsert request; at most <see cref="MaxBatchSize"/>.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Client-side request rate limit (requests per second, retries included); 0 = unlimited.</summary>
    /// <remarks>Set it to stay under a plan's quota during bulk work such as a migration; waiting for a permit
    /// counts against <see cref="Timeout"/>.</remarks>
    public double RequestsPerSecond { get; set; }
}
