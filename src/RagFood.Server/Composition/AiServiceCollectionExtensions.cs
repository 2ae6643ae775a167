using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OllamaSharp;
using RagFood.Core.Embeddings;
using RagFood.Embeddings.Local;

namespace RagFood.Server.Composition;

/// <summary>Registers the embedding generator and, when Ollama is configured, the chat client.</summary>
public static class AiServiceCollectionExtensions
{
    /// <summary>Name of the <see cref="HttpClient"/> that talks to Ollama.</summary>
    internal const string OllamaHttpClientName = "ollama";

    /// <summary>
    /// Registers the unkeyed <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> per <c>Embeddings:Provider</c>
    /// (BuiltIn: <see cref="HashingEmbeddingGenerator"/>; Local: <see cref="ArcticEmbeddingGenerator"/>; Ollama: OllamaSharp
    /// with <c>Ollama:EmbeddingModel</c>; Auto, the default: see <see cref="EmbeddingProviderResolver"/>) and,
    /// when <c>Ollama:Url</c> is set, an <see cref="IChatClient"/> for <c>Ollama:ChatModel</c>.
    /// </summary>
    /// <remarks>Both Ollama clients share one named <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/> with no
    /// client-wide timeout: each call gets <c>Ollama:Timeout</c> from the caller, so a streamed answer is not cut off.</remarks>
    public static IServiceCollection AddRagFoodAi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OllamaOptions>().Bind(configuration.GetSection(OllamaOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OllamaOptions>, OllamaOptionsValidator>());
        services.AddOptions<EmbeddingOptions>().Bind(configuration.GetSection(EmbeddingOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddingOptions>, EmbeddingOptionsValidator>());

        var ollama = configuration.GetSection(OllamaOptions.SectionName).Get<OllamaOptions>() ?? new OllamaOptions();

        if (ollama.IsConfigured)
        {
            services.AddHttpClient(OllamaHttpClientName, (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<OllamaOptions>>().Value;
                client.BaseAddress = new Uri(options.Url!, UriKind.Absolute);
                client.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
            });
            services.AddSingleton<IChatClient>(sp => CreateOllamaClient(sp, o => o.ChatModel));
            services.AddSingleton<OllamaProbeStatus>();
            services.AddHostedService<OllamaProbeService>();
        }

        // Auto is resolved when the generator is first needed: by then the SQLite path is resolved under the content root.
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => EmbeddingProviderResolver.Resolve(sp) switch
        {
            EmbeddingProvider.Ollama => new OllamaEmbeddingGenerator(
                CreateOllamaClient(sp, o => o.EmbeddingModel),
                sp.GetRequiredService<IOptions<OllamaOptions>>().Value),
            EmbeddingProvider.Local => new ArcticEmbeddingGenerator(),
            _ => new HashingEmbeddingGenerator(sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value.Dimension),
        });

        return services;
    }

    private static OllamaApiClient CreateOllamaClient(IServiceProvider services, Func<OllamaOptions, string> model)
    {
        var options = services.GetRequiredService<IOptions<OllamaOptions>>().Value;
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(OllamaHttpClientName);
        return new OllamaApiClient(http, model(options));
    }
}
