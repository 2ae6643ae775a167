using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;

namespace RagFood.Core.VectorStores.Kernel;

/// <summary>JSON request bodies for HTTP-backed stores, written straight into one buffer.</summary>
public static class HttpJson
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    /// <summary>An <c>application/json</c> body written by <paramref name="writeBody"/>.</summary>
    public static HttpContent Content(Action<Utf8JsonWriter> writeBody)
    {
        ArgumentNullException.ThrowIfNull(writeBody);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writeBody(writer);
        }

        var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = JsonMediaType;
        return content;
    }
}
