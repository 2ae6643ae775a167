using System.ComponentModel;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
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

/// <summary>Checks <see cref="ChromaVectorStoreOptions"/> at start-up.</summary>
public sealed partial class ChromaVectorStoreOptionsValidator : IValidateOptions<ChromaVectorStoreOptions>
{
    // Chroma's rule for collection names: 3-512 characters from [a-zA-Z0-9._-], starting and ending alphanumeric.
    [GeneratedRegex("^[a-zA-Z0-9](?:[a-zA-Z0-9._-]{1,510})[a-zA-Z0-9]$")]
    private static partial Regex CollectionNamePattern();

    public ValidateOptionsResult Validate(string? name, ChromaVectorStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Url is null || !options.Url.IsAbsoluteUri || (options.Url.Scheme != Uri.UriSchemeHttp && options.Url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("VectorStore:Chroma:Url must be an absolute http:// or https:// URL.");
        }

        if (string.IsNullOrWhiteSpace(options.Tenant))
        {
            failures.Add("VectorStore:Chroma:Tenant must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.Database))
        {
            failures.Add("VectorStore:Chroma:Database must not be empty.");
        }

        if (options.Collection is null || !IsValidCollectionName(options.Collection) || options.Collection.Contains(ChromaVectorStore.NamespaceSeparator, StringComparison.Ordinal))
        {
            failures.Add($"VectorStore:Chroma:Collection '{options.Collection}' is not a valid Chroma collection name (3-512 characters from [a-zA-Z0-9._-], starting and ending with a letter or digit, not containing '{ChromaVectorStore.NamespaceSeparator}').");
        }

        if (!ChromaSpaceParser.TryParse(options.Space, out _))
        {
            failures.Add($"VectorStore:Chroma:Space '{options.Space}' must be one of cosine, l2, ip.");
        }

        options.Validate("VectorStore:Chroma", failures);

        if (options.BatchSize is < 1 or > 10_000)
        {
            failures.Add("VectorStore:Chroma:BatchSize must be between 1 and 10000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsValidCollectionName(string name) => CollectionNamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);
}
