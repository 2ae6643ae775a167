using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Providers.Upstash.Internal;

/// <summary>Upstash's REST transport: one POST per operation through the named client's resilience pipeline, error
/// envelopes and transport failures turned into <see cref="VectorStoreException"/> (kinds from
/// <see cref="HttpFailureMapping"/>), and the token redacted from every message.</summary>
internal sealed class UpstashTransport(IHttpClientFactory httpClientFactory, UpstashVectorStoreOptions options, ILogger logger)
{
    /// <summary>POSTs one request and returns the parsed body; throws <see cref="VectorStoreException"/> for any
    /// error envelope (whatever the status) and for transport, timeout and breaker failures.</summary>
    public async Task<JsonDocument> SendAsync(string endpoint, string ns, Action<Utf8JsonWriter>? writeBody, CancellationToken cancellationToken)
    {
        var path = ns.Length == 0 ? endpoint : endpoint + "/" + Uri.EscapeDataString(ns);
        var operation = endpoint.Split('?')[0];
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent(writeBody) };
        var client = httpClientFactory.CreateClient(UpstashVectorStore.HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error) when (HttpFailureMapping.IsTransportFailure(error, cancellationToken))
        {
            throw Failure(operation, error);
        }

        using (response)
        {
            JsonDocument document;
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            catch (JsonException error)
            {
                var status = (int)response.StatusCode;
                throw Failure(operation, new VectorStoreException(UpstashVectorStore.ProviderName, status >= 500 ? VectorStoreErrorKind.Unavailable : VectorStoreErrorKind.Internal,
                    $"Upstash answered {operation} with status {status} and a body that is not JSON.", error));
            }
            catch (HttpRequestException error)
            {
                throw Failure(operation, new VectorStoreException(UpstashVectorStore.ProviderName, VectorStoreErrorKind.Unavailable, $"Upstash's answer to {operation} was cut off: {error.Message}", error));
            }

            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var errorElement) && errorElement.ValueKind != JsonValueKind.Null)
            {
                var message = errorElement.ValueKind == JsonValueKind.String ? errorElement.GetString()! : errorElement.GetRawText();
                document.Dispose();
                throw ErrorFromResponse(operation, response.StatusCode, message);
            }

            if (!response.IsSuccessStatusCode)
            {
                document.Dispose();
                throw ErrorFromResponse(operation, response.StatusCode, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            return document;
        }
    }

    private VectorStoreException ErrorFromResponse(string operation, HttpStatusCode statusCode, string upstashMessage)
    {
        var status = (int)statusCode;
        var message = Redact(upstashMessage);
        // Upstash answers 422 both for bad input and for "embedding is not allowed on this index": the latter is a
        // precondition of the index, not the request's fault. Every other status maps as in the kernel.
        var kind = status == 422 && message.Contains("not allowed", StringComparison.OrdinalIgnoreCase)
            ? VectorStoreErrorKind.FailedPrecondition
            : HttpFailureMapping.KindOf(statusCode);
        var text = kind switch
        {
            VectorStoreErrorKind.Unauthenticated => $"Upstash rejected the token ({status}): {message}",
            VectorStoreErrorKind.InvalidRequest => $"Upstash rejected {operation} as invalid ({status}): {message}",
            VectorStoreErrorKind.NotFound => $"Upstash {operation}: not found ({status}): {message}",
            VectorStoreErrorKind.FailedPrecondition => $"Upstash cannot {operation} on this index ({status}): {message}",
            VectorStoreErrorKind.Timeout => $"Upstash timed out on {operation} ({status}): {message}",
            VectorStoreErrorKind.ResourceExhausted => $"Upstash rate limit or quota exceeded on {operation} ({status}): {message}",
            VectorStoreErrorKind.Unavailable => $"Upstash failed on {operation} ({status}): {message}",
            _ => $"Upstash {operation} failed ({status}): {message}",
        };
        UpstashLog.RequestFailed(logger, operation, status, kind);
        return new VectorStoreException(UpstashVectorStore.ProviderName, kind, text);
    }

    private VectorStoreException Failure(string operation, Exception error)
    {
        var failure = error as VectorStoreException ?? HttpFailureMapping.FromTransport(UpstashVectorStore.ProviderName, "Upstash", operation, error);
        UpstashLog.TransportFailed(logger, operation, failure.Kind, error);
        return new VectorStoreException(UpstashVectorStore.ProviderName, failure.Kind, Redact(failure.Message), failure.InnerException ?? error);
    }

    /// <summary>Belt and braces: the token must never leave in a message, whatever the server echoed.</summary>
    private string Redact(string message) =>
        string.IsNullOrEmpty(options.Token) ? message : message.Replace(options.Token, "***", StringComparison.Ordinal);

    public static JsonElement Result(JsonDocument document, string operation) =>
        document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("result", out var result)
            ? result
            : throw new VectorStoreException(UpstashVectorStore.ProviderName, VectorStoreErrorKind.Internal, $"Upstash answered {operation} without a result.");

    // Argument-less endpoints get an empty JSON array, as the official JS SDK sends.
    private static HttpContent JsonContent(Action<Utf8JsonWriter>? writeBody) => HttpJson.Content(writeBody ?? (static writer =>
    {
        writer.WriteStartArray();
        writer.WriteEndArray();
    }));
}
