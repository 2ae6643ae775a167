namespace RagFood.Server.HttpJson;

/// <summary>HTTP/JSON transcoding (<c>HttpJson:*</c>): the gRPC services also answer JSON over HTTP.</summary>
public sealed class HttpJsonOptions
{
    /// <summary>The configuration section: <c>HttpJson</c>.</summary>
    public const string SectionName = "HttpJson";

    /// <summary>Answer the <c>google.api.http</c> routes (<c>POST /v1/ask</c>, <c>POST /v1/query</c>, ...). On by default: on
    /// the plaintext gRPC endpoint they answer HTTP/2 only, so a browser or plain curl needs <see cref="Url"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>An extra endpoint for HTTP/1.1 callers, e.g. <c>http://127.0.0.1:50080</c> (HTTP/1.1 in plaintext, HTTP/1.1 and
    /// HTTP/2 with https). Empty (the default): no extra endpoint. Ignored when <see cref="Enabled"/> is false.</summary>
    public string? Url { get; set; }

    /// <summary>Serve the OpenAPI document of the JSON routes at <c>/openapi/v1.json</c>.</summary>
    public bool OpenApi { get; set; } = true;
}
