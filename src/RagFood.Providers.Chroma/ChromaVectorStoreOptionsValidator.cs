using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace RagFood.Providers.Chroma;

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
