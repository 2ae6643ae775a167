using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Chroma;

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
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

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
            var buffer = new ArrayBufferWriter<byte>(4096);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                body(writer);
            }

            var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
            content.Headers.ContentType = JsonMediaType;
            request.Content = content;
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
        catch (BrokenCircuitException e)
        {
            throw new VectorStoreException(storeName, VectorStoreErrorKind.CircuitOpen,
                $"Chroma at {Where()} failed repeatedly and is not being called for now (circuit open).", e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new VectorStoreException(storeName, VectorStoreErrorKind.Timeout, $"Chroma at {Where()} did not answer in time.", e);
        }
        catch (OperationCanceledException e)
        {
            throw new VectorStoreException(storeName, VectorStoreErrorKind.Timeout, $"Chroma at {Where()} did not answer in time.", e);
        }
        catch (HttpRequestException e)
        {
            Log.OperationFailed(logger, path, nameof(VectorStoreErrorKind.Unavailable), e.Message);
            throw new VectorStoreException(storeName, VectorStoreErrorKind.Unavailable, $"Chroma at {Where()} is unreachable: {e.Message}", e);
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
                Log.OperationFailed(logger, path, kind.ToString(), text);
            }

            throw new VectorStoreException(storeName, kind, text);
        }
    }

    internal static VectorStoreErrorKind Classify(HttpStatusCode status, string error) => status switch
    {
        HttpStatusCode.NotFound => VectorStoreErrorKind.NotFound,
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => VectorStoreErrorKind.Unauthenticated,
        HttpStatusCode.TooManyRequests => VectorStoreErrorKind.ResourceExhausted,
        HttpStatusCode.RequestTimeout or HttpStatusCode.GatewayTimeout => VectorStoreErrorKind.Timeout,
        HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity or HttpStatusCode.Conflict => VectorStoreErrorKind.InvalidRequest,
        _ when error.Contains("NotFound", StringComparison.OrdinalIgnoreCase) => VectorStoreErrorKind.NotFound,
        _ when (int)status >= 500 => VectorStoreErrorKind.Unavailable,
        _ => VectorStoreErrorKind.Internal,
    };

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
