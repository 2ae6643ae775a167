using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RagFood.Testing;

namespace RagFood.Server.Tests.Support;

/// <summary>A server with an HTTP/1.1 JSON endpoint (<c>HttpJson:Url</c>) and an API key, and a client for it.</summary>
public sealed class HttpJsonHost : IAsyncDisposable
{
    private HttpJsonHost(ServerHost server, Uri json, string apiKey)
    {
        Server = server;
        Json = json;
        Http = new HttpClient { BaseAddress = json };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public ServerHost Server { get; }

    /// <summary>The HTTP/1.1 JSON endpoint.</summary>
    public Uri Json { get; }

    /// <summary>Sends the API key.</summary>
    public HttpClient Http { get; }

    /// <summary>Starts the server (corpus ingested) with <paramref name="settings"/> over the JSON endpoint's.</summary>
    public static async Task<HttpJsonHost> StartAsync(string apiKey, IDictionary<string, string?>? settings = null)
    {
        var json = new Uri($"http://127.0.0.1:{ServerProcess.FreePort()}");
        var all = new Dictionary<string, string?>
        {
            ["Urls"] = $"http://127.0.0.1:{ServerProcess.FreePort()}",
            ["HttpJson:Url"] = json.ToString(),
            ["Auth:ApiKeys:0"] = apiKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var server = await ServerHost.StartAsync(all);
        await server.WaitForIngestionAsync();
        return new HttpJsonHost(server, json, apiKey);
    }

    /// <summary>Reads a streamed response (one JSON object per line) to its end.</summary>
    public static async Task<List<JsonElement>> ReadLinesAsync(HttpResponseMessage response)
    {
        var events = new List<JsonElement>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Trim().Length > 0)
            {
                events.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return events;
    }

    /// <summary>A JSON request body.</summary>
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
