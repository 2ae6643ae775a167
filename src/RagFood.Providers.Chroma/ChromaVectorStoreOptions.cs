using System.ComponentModel;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Providers.Chroma;

/// <summary>Where the Chroma server is and how RagFood uses it (configuration section <c>VectorStore:Chroma</c>).</summary>
/// <remarks>
/// <para>The store addresses <c>{Url}/api/v2/tenants/{Tenant}/databases/{Database}/collections/...</c>. The default
/// namespace <c>""</c> is the collection <see cref="Collection"/>; namespace <c>x</c> is the collection
/// <c>{Collection}__ns__x</c>.</para>
/// <para><see cref="EmbeddingModel"/> is only needed for collections written by something other than RagFood
/// (the original Python app): it states which model wrote their vectors, so text queries can be checked against
/// the service's embedder. Collections RagFood creates record their model and dimension in their own metadata.</para>
/// <para>Timeouts, retries and the circuit breaker are the settings every HTTP store shares
/// (<see cref="HttpResilienceOptions"/>). The keys <c>RetryCount</c> and <c>RetryBaseDelay</c> of earlier versions still
/// bind, to <c>MaxRetries</c> and <c>RetryDelay</c>.</para>
/// </remarks>
public sealed class ChromaVectorStoreOptions : HttpResilienceOptions
{
    /// <summary>Base URL of the Chroma server, e.g. <c>http://localhost:8000</c>.</summary>
    public Uri Url { get; set; } = new("http://localhost:8000");

    public string Tenant { get; set; } = "default_tenant";

    public string Database { get; set; } = "default_database";

    /// <summary>The collection that holds the default namespace.</summary>
    public string Collection { get; set; } = "foods";

    /// <summary>The embedding model a legacy collection (one that recorded none) was written with, e.g. <c>mxbai-embed-large</c>.</summary>
    public string? EmbeddingModel { get; set; }

    /// <summary>Distance function for collections RagFood creates: <c>cosine</c> (default), <c>l2</c> or <c>ip</c>.</summary>
    /// <remarks>Existing collections keep whatever space they were created with; scores are converted accordingly.</remarks>
    public string Space { get; set; } = "cosine";

    /// <summary>Old name of <see cref="HttpResilienceOptions.MaxRetries"/>; configuration written for it still binds.</summary>
    [Obsolete("Use MaxRetries, the name every HTTP store shares.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public int RetryCount
    {
        get => MaxRetries;
        set => MaxRetries = value;
    }

    /// <summary>Old name of <see cref="HttpResilienceOptions.RetryDelay"/>; configuration written for it still binds.</summary>
    [Obsolete("Use RetryDelay, the name every HTTP store shares.")]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public TimeSpan RetryBaseDelay
    {
        get => RetryDelay;
        set => RetryDelay = value;
    }

    /// <summary>Records per add/upsert request (capped by the server's own <c>max_batch_size</c>).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Optional token sent as <c>Authorization: Bearer</c> to a Chroma server with token auth. Never logged.</summary>
    public string? Token { get; set; }
}
