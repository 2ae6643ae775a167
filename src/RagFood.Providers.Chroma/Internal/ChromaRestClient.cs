using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;
using RagFood.Providers.Chroma;

namespace RagFood.Providers.Chroma.Internal;

/// <summary>Thin JSON-over-HTTP access to Chroma's v2 API that turns every failure into a typed exception.</summary>
/// <remarks>
/// Retries, timeouts and the circuit breaker live in the <see cref="HttpClient"/>'s pipeline (registered in
/// <see cref="ChromaServiceCollectionExtensions"/>); this class only sees the final outcome and classifies it:
/// transport errors → <see cref="VectorStoreErrorKind.Unavailable"/>, Polly's timeout → <see cref="VectorStoreErrorKind.Timeout"/>,
/// open breaker → <see cref="VectorStoreErrorKind.CircuitOpen"/>, and Chroma's <c>{"error","message"}</c> bodies by status.
/// The caller's cancellation always surfaces as <see cref="OperationCanceledException"/>.
/// </remarks>
internal sealed class ChromaRestClient(HttpClient http, string storeName, ILogger logger)
{
    /// <summary>Sends one request and parses the JSON answer.</summary>
    /// <param name="method">HTTP method.</param>
    /// <param name="path">Path relative to the client's base address (already escaped).</param>
    /// <param name="body">Writes the JSON body, or <c>null</c> for none.</param>
    /// <param name="notFoundIsNull">Return <c>null</c> instead of throwing on 404.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public async Task<JsonDocument?> SendAsync(HttpMethod method, string path, Action<Utf8JsonWriter>? body, bool notFoundIsNull, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = HttpJson.Content(body);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (HttpFailureMapping.IsTransportFailure(e, cancellationToken))
        {
            var failure = HttpFailureMapping.FromTransport(storeName, $"Chroma at {Where()}", path, e);
            ChromaLog.OperationFailed(logger, path, failure.Kind.ToString(), e.Message);
            throw failure;
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (JsonException e)
                {
                    throw new VectorStoreException(storeName, VectorStoreErrorKind.Internal, $"Chroma at {Where()} answered {path} with a body that is not JSON.", e);
                }
                catch (HttpRequestException e)
                {
                    throw new VectorStoreException(storeName, VectorStoreErrorKind.Unavailable, $"Chroma at {Where()} dropped the connection: {e.Message}", e);
                }
            }

            if (response.StatusCode == HttpStatusCode.NotFound && notFoundIsNull)
            {
                return null;
            }

            var (error, message) = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            var kind = Classify(response.StatusCode, error);
            var text = $"Chroma answered {(int)response.StatusCode} {error}: {message}";
            if (kind is VectorStoreErrorKind.Unavailable or VectorStoreErrorKind.Internal or VectorStoreErrorKind.Timeout)
            {
                ChromaLog.OperationFailed(logger, path, kind.ToString(), text);
            }

            throw new VectorStoreException(storeName, kind, text);
        }
    }

    /// <summary>The kernel's mapping, refined where Chroma says more: an error named <c>NotFound</c> under another
    /// status (Chroma 1.0 answers some missing collections with 500) is NotFound.</summary>
    internal static VectorStoreErrorKind Classify(HttpStatusCode status, string error) =>
        HttpFailureMapping.KindOf(status) is var kind && kind is not (VectorStoreErrorKind.InvalidRequest or VectorStoreErrorKind.Unauthenticated
            or VectorStoreErrorKind.ResourceExhausted or VectorStoreErrorKind.Timeout) && error.Contains("NotFound", StringComparison.OrdinalIgnoreCase)
            ? VectorStoreErrorKind.NotFound
            : kind;

    private static async Task<(string Error, string Message)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return (response.ReasonPhrase ?? "error", "(no body)");
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : response.ReasonPhrase ?? "error";
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : text;
            return (error, message);
        }
        catch (JsonException)
        {
            return (response.ReasonPhrase ?? "error", text.Length > 500 ? text[..500] : text);
        }
    }

    private string Where() => http.BaseAddress is { } b ? $"{b.Scheme}://{b.Authority}" : "(unknown address)";
}
