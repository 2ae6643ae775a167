using Microsoft.Extensions.Options;
using OllamaSharp;
using RagFood.Server.Logging;

namespace RagFood.Server.Composition;

/// <summary>What the start-up probe learnt about Ollama.</summary>
/// <param name="Reachable">Ollama answered <c>/api/version</c>.</param>
/// <param name="Version">Its version, when reachable.</param>
/// <param name="MissingModels">Configured models that <c>/api/tags</c> does not list (not pulled).</param>
/// <param name="Error">Why it was not reachable.</param>
internal sealed record OllamaProbeResult(bool Reachable, string? Version, IReadOnlyList<string> MissingModels, string? Error);

/// <summary>The latest probe result; <c>null</c> until the probe has run (or when Ollama is not configured).</summary>
internal sealed class OllamaProbeStatus
{
    private readonly TaskCompletionSource<OllamaProbeResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<OllamaProbeResult> Result => _result.Task;

    public void Set(OllamaProbeResult result) => _result.TrySetResult(result);
}

/// <summary>Once at start, asks Ollama for its version (<c>/api/version</c>) and local models (<c>/api/tags</c>) and logs
/// what an operator must fix: Ollama unreachable, or a configured model not pulled.</summary>
/// <remarks>Informational only: answers fall back to extractive per call whatever the probe found, so a later-started
/// Ollama is used without a restart.</remarks>
internal sealed class OllamaProbeService(
    IHttpClientFactory httpClientFactory,
    IOptions<OllamaOptions> options,
    IOptions<EmbeddingOptions> embeddingOptions,
    OllamaProbeStatus status,
    ILogger<OllamaProbeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(settings.Timeout);
        using var client = new OllamaApiClient(httpClientFactory.CreateClient(AiServiceCollectionExtensions.OllamaHttpClientName));
        try
        {
            var version = (await client.GetVersionAsync(timeout.Token).ConfigureAwait(false))?.ToString();
            var local = (await client.ListLocalModelsAsync(timeout.Token).ConfigureAwait(false)).Select(m => m.Name).ToList();
            var wanted = new List<string> { settings.ChatModel };
            if (embeddingOptions.Value.Provider == EmbeddingProvider.Ollama)
            {
                wanted.Add(settings.EmbeddingModel);
            }

            var missing = wanted.Where(model => !local.Any(name => SameModel(name, model))).ToList();
            Log.OllamaProbed(logger, settings.DisplayUrl, version ?? "?", local.Count);
            foreach (var model in missing)
            {
                Log.OllamaModelMissing(logger, model, settings.DisplayUrl);
            }

            status.Set(new OllamaProbeResult(true, version, missing, null));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping before the probe finished.
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The edge of a background service: an unreachable Ollama is logged, never fatal.
            var reason = ex is OperationCanceledException ? $"no answer within {settings.Timeout.TotalSeconds:0.#}s" : ex.Message;
            Log.OllamaUnreachable(logger, settings.DisplayUrl, reason);
            status.Set(new OllamaProbeResult(false, null, [], reason));
        }
    }

    /// <summary>"llama3.2:1b" matches itself; "mxbai-embed-large" matches "mxbai-embed-large:latest".</summary>
    private static bool SameModel(string listed, string configured) =>
        string.Equals(listed, configured, StringComparison.OrdinalIgnoreCase)
        || (!configured.Contains(':', StringComparison.Ordinal) && string.Equals(listed, configured + ":latest", StringComparison.OrdinalIgnoreCase));
}
