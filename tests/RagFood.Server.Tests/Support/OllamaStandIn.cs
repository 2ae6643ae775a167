using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using RagFood.Core.Embeddings;

namespace RagFood.Server.Tests.Support;

/// <summary>
/// A stand-in for Ollama on loopback speaking its documented REST API: <c>GET /api/version</c>, <c>GET /api/tags</c>,
/// <c>POST /api/chat</c> (a single JSON object, or NDJSON chunks when <c>stream</c> is true or absent) and
/// <c>POST /api/embed</c> (<c>input</c> a string or an array; <c>embeddings</c> in the same order).
/// </summary>
/// <remarks>Chat answers are "Generated: " + the words of <see cref="Answer"/>. A prompt containing <see cref="SlowMarker"/>
/// is answered only after a minute (or never, when the client gives up first), to test timeouts. Embeddings come from the
/// built-in hashing embedder at <see cref="EmbeddingDimension"/> dimensions, so retrieval through them behaves.</remarks>
public sealed class OllamaStandIn : IAsyncDisposable
{
    public const string SlowMarker = "[slow]";
    public const int EmbeddingDimension = 384;
    public const string Answer = "Generated: biryani is the rice dish you are looking for.";

    private readonly WebApplication _app;
    private readonly HashingEmbeddingGenerator _embedder = new(EmbeddingDimension);

    private int _abortedChats;

    private OllamaStandIn(WebApplication app) => _app = app;

    /// <summary>How many slow chat requests the client abandoned before they were answered.</summary>
    public int AbortedChats => Volatile.Read(ref _abortedChats);

    public Uri Address { get; private set; } = null!;

    /// <summary>Every request as "METHOD /path", in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Request bodies of <c>/api/chat</c>.</summary>
    public ConcurrentQueue<JsonNode> ChatRequests { get; } = new();

    public static async Task<OllamaStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // Ollama speaks HTTP/1.1; the test directory holds the server's appsettings.json, whose endpoint defaults are HTTP/2.
        builder.Configuration["Kestrel:EndpointDefaults:Protocols"] = "Http1AndHttp2";
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new OllamaStandIn(app);
        standIn.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        standIn.Address = new Uri(address);
        return standIn;
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            await next(context);
        });
        app.MapGet("/api/version", () => Results.Json(new { version = "0.6.8" }));
        app.MapGet("/api/tags", () => Results.Json(new
        {
            models = new[]
            {
                new { name = "llama3.2:1b", model = "llama3.2:1b", modified_at = "2026-01-01T00:00:00Z", size = 1_321_098_329L, digest = "baf6a787fdff", details = new { format = "gguf", family = "llama", parameter_size = "1.2B", quantization_level = "Q8_0" } },
                new { name = "mxbai-embed-large:latest", model = "mxbai-embed-large:latest", modified_at = "2026-01-01T00:00:00Z", size = 669_615_493L, digest = "468836162de7", details = new { format = "gguf", family = "bert", parameter_size = "334M", quantization_level = "F16" } },
            },
        }));
        app.MapPost("/api/chat", ChatAsync);
        app.MapPost("/api/embed", EmbedAsync);
    }

    private async Task ChatAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) ?? new JsonObject();
        ChatRequests.Enqueue(body);
        var model = body["model"]?.GetValue<string>() ?? "";
        var stream = body["stream"]?.GetValue<bool>() ?? true;
        var prompt = string.Join("\n", body["messages"]?.AsArray().Select(m => m?["content"]?.GetValue<string>()) ?? []);
        if (prompt.Contains(SlowMarker, StringComparison.Ordinal))
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up on the request (its timeout, or its caller's deadline).
                Interlocked.Increment(ref _abortedChats);
                throw;
            }
        }

        if (!stream)
        {
            await context.Response.WriteAsJsonAsync(Message(model, Answer, done: true), context.RequestAborted);
            return;
        }

        context.Response.ContentType = "application/x-ndjson";
        foreach (var word in Answer.Split(' '))
        {
            await WriteLineAsync(context, Message(model, word + " ", done: false));
        }

        await WriteLineAsync(context, Message(model, "", done: true));
    }

    private static async Task WriteLineAsync(HttpContext context, JsonObject line)
    {
        await context.Response.WriteAsync(line.ToJsonString() + "\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static JsonObject Message(string model, string content, bool done)
    {
        var message = new JsonObject
        {
            ["model"] = model,
            ["created_at"] = "2026-01-01T00:00:00.000Z",
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
            ["done"] = done,
        };
        if (done)
        {
            message["done_reason"] = "stop";
            message["total_duration"] = 1_000_000;
            message["load_duration"] = 1000;
            message["prompt_eval_count"] = 42;
            message["prompt_eval_duration"] = 1000;
            message["eval_count"] = 12;
            message["eval_duration"] = 1000;
        }

        return message;
    }

    private async Task EmbedAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) ?? new JsonObject();
        var input = body["input"];
        var texts = input is JsonArray array ? array.Select(n => n?.GetValue<string>() ?? "").ToList() : [input?.GetValue<string>() ?? ""];
        var embeddings = new JsonArray();
        foreach (var text in texts)
        {
            embeddings.Add(new JsonArray(_embedder.Embed(text).Select(v => (JsonNode)JsonValue.Create(v)).ToArray()));
        }

        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["model"] = body["model"]?.GetValue<string>() ?? "",
            ["embeddings"] = embeddings,
            ["total_duration"] = 1000,
            ["load_duration"] = 100,
            ["prompt_eval_count"] = texts.Count,
        }, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
