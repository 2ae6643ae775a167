using Microsoft.Extensions.Options;

namespace RagFood.Server.Composition;

/// <summary>Where Ollama is and which models to use (<c>Ollama:*</c>).</summary>
/// <remarks>With <see cref="Url"/> unset there is no Ollama: answers are extractive and embeddings must be built in.</remarks>
public sealed class OllamaOptions
{
    public const string SectionName = "Ollama";

    /// <summary>Base address, e.g. <c>http://127.0.0.1:11434</c>; unset means no Ollama.</summary>
    public string? Url { get; set; }

    public string ChatModel { get; set; } = "llama3.2:1b";

    public string EmbeddingModel { get; set; } = "mxbai-embed-large";

    /// <summary>Limit for one chat or embedding call; past it the answer becomes extractive (chat) or the call fails (embeddings).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when <see cref="Url"/> is set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The URL without user info, safe for logs and messages.</summary>
    public string DisplayUrl => Uri.TryCreate(Url, UriKind.Absolute, out var uri)
        ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/')
        : "(invalid URL)";
}

internal sealed class OllamaOptionsValidator : IValidateOptions<OllamaOptions>
{
    public ValidateOptionsResult Validate(string? name, OllamaOptions options)
    {
        var failures = new List<string>();
        if (options.IsConfigured
            && (!Uri.TryCreate(options.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add("Ollama:Url must be an absolute http(s) URL such as http://127.0.0.1:11434.");
        }

        if (string.IsNullOrWhiteSpace(options.ChatModel))
        {
            failures.Add("Ollama:ChatModel must not be empty (default llama3.2:1b).");
        }

        if (string.IsNullOrWhiteSpace(options.EmbeddingModel))
        {
            failures.Add("Ollama:EmbeddingModel must not be empty (default mxbai-embed-large).");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add("Ollama:Timeout must be positive, e.g. 00:00:30.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
