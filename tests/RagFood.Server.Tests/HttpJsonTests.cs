using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>The RPCs as JSON over HTTP (gRPC JSON transcoding), called with HttpClient: on the HTTP/1.1 endpoint of
/// <c>HttpJson:Url</c> and over HTTP/2 on the gRPC endpoint, with the same auth, validation and status mapping.</summary>
public sealed class HttpJsonTests : IAsyncLifetime
{
    private const string ApiKey = "http-json-test-key-8c1e";
    private HttpJsonHost _host = null!;

    private ServerHost Server => _host.Server;

    private Uri JsonAddress => _host.Json;

    private HttpClient Http => _host.Http;

    public async Task InitializeAsync() => _host = await HttpJsonHost.StartAsync(ApiKey);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Query_answers_json_over_http1()
    {
        using var response = await Http.PostAsync("/v1/query", Json("""{"text": "lentil stew with turmeric", "topK": 2}"""));
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal(new Version(1, 1), response.Version);
        using var json = JsonDocument.Parse(body);
        var matches = json.RootElement.GetProperty("matches");
        Assert.Equal(2, matches.GetArrayLength());
        Assert.Equal("dal", matches[0].GetProperty("id").GetString());
        Assert.Equal("sqlite", json.RootElement.GetProperty("servedBy").GetString());
    }

    [Fact]
    public async Task Ask_answers_with_sources_and_info_is_a_get()
    {
        using var ask = await Http.PostAsync("/v1/ask", Json("""{"question": "Which rice dish is cooked with saffron?"}"""));
        using var info = await Http.GetAsync("/v1/info");

        using var answer = JsonDocument.Parse(await ask.Content.ReadAsStringAsync());
        Assert.Equal("biryani", answer.RootElement.GetProperty("sources")[0].GetProperty("id").GetString());
        Assert.False(string.IsNullOrWhiteSpace(answer.RootElement.GetProperty("answer").GetString()));
        using var store = JsonDocument.Parse(await info.Content.ReadAsStringAsync());
        Assert.Equal("sqlite", store.RootElement.GetProperty("store").GetString());
        Assert.Equal(TestCorpus.Count, store.RootElement.GetProperty("vectorCount").GetInt64());
    }

    [Fact]
    public async Task Invalid_input_is_400_with_the_servers_message_and_a_missing_key_is_401()
    {
        using var badFilter = await Http.PostAsync("/v1/query", Json("""{"text": "rice", "filter": "region = = 'India'"}"""));
        using var anonymous = new HttpClient { BaseAddress = JsonAddress };
        using var noKey = await anonymous.PostAsync("/v1/ask", Json("""{"question": "rice"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
        using var error = JsonDocument.Parse(await badFilter.Content.ReadAsStringAsync());
        Assert.Equal(3, error.RootElement.GetProperty("code").GetInt32());
        Assert.Contains("filter", error.RootElement.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    [Fact]
    public async Task AskStream_is_a_stream_of_json_objects_sources_first_summary_last()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ask:stream") { Content = Json("""{"question": "Which rice dish is cooked with saffron?"}""") };
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await HttpJsonHost.ReadLinesAsync(response);

        Assert.True(response.IsSuccessStatusCode);
        Assert.True(events.Count >= 3, $"{events.Count} events");
        Assert.True(events[0].TryGetProperty("sources", out _));
        Assert.True(events[^1].TryGetProperty("summary", out var summary));
        Assert.False(string.IsNullOrWhiteSpace(summary.GetProperty("answer").GetString()));
        Assert.All(events[1..^1], e => Assert.True(e.TryGetProperty("token", out _)));
    }

    [Fact]
    public async Task The_json_routes_also_answer_over_http2_on_the_grpc_endpoint()
    {
        using var http2 = new HttpClient { BaseAddress = Server.Address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        http2.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);

        using var response = await http2.GetAsync("/v1/usage");

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(new Version(2, 0), response.Version);
        using var usage = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(usage.RootElement.GetProperty("stores").EnumerateArray(), s => s.GetProperty("store").GetString() == "sqlite");
    }

    [Fact]
    public async Task The_http_health_probes_are_open_and_report_each_check_without_its_description()
    {
        using var anonymous = new HttpClient { BaseAddress = JsonAddress };
        using var ready = await anonymous.GetAsync("/healthz/ready");
        using var live = await anonymous.GetAsync("/healthz/live");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("store").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("store:sqlite").GetString());
        Assert.DoesNotContain("records", body.RootElement.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var alive = JsonDocument.Parse(await live.Content.ReadAsStringAsync());
        Assert.Empty(alive.RootElement.GetProperty("checks").EnumerateObject());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_json_routes()
    {
        using var anonymous = new HttpClient { BaseAddress = JsonAddress };
        using var response = await anonymous.GetAsync("/openapi/v1.json");

        Assert.True(response.IsSuccessStatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/ask", out var ask));
        Assert.True(ask.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/v1/query", out _));
        Assert.True(paths.TryGetProperty("/v1/namespaces/{namespace}", out _));
    }

    private static StringContent Json(string json) => HttpJsonHost.Body(json);
}
