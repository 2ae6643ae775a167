using System.Net;
using System.Text.Json;
using Grpc.Core;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests.Transfer;

/// <summary>MigrationService and StoresService as JSON over HTTP/1.1 (called with HttpClient), and
/// <c>Migration:AllowedDirectories</c> enforced alike for HTTP and gRPC callers.</summary>
public sealed class TransferHttpJsonTests : IAsyncLifetime, IDisposable
{
    private const string ApiKey = "transfer-http-test-key-71b2";
    private readonly string _outside = Directory.CreateTempSubdirectory("ragfood-outside-").FullName;
    private HttpJsonHost _host = null!;

    private ServerHost Server => _host.Server;

    private Uri JsonAddress => _host.Json;

    private HttpClient Http => _host.Http;

    // The default: transfers may name files under the content root (the server's data directory) only.
    public async Task InitializeAsync() => _host = await HttpJsonHost.StartAsync(ApiKey, new Dictionary<string, string?> { ["Migration:AllowedDirectories:0"] = null });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => Directory.Delete(_outside, recursive: true);

    [Fact]
    public async Task Export_migrate_and_verify_answer_json_over_http_with_the_stream_one_object_per_line()
    {
        var file = Path.Combine(Server.Directory, "http.jsonl");

        var export = await StreamAsync("/v1/export", $$"""{"path": {{Quote(file)}}}""");
        var dryRun = await StreamAsync("/v1/migrate", $$"""{"source": {"exportFile": {{Quote(file)}}}, "target": {"store": "primary"}, "dryRun": true, "batchSize": 4}""");
        using var verify = await Http.PostAsync("/v1/verify", Json($$"""{"source": {"exportFile": {{Quote(file)}}}, "target": {"store": "primary"}, "mode": "TRANSFER_MODE_VECTORS"}"""));

        Assert.True(export[0].TryGetProperty("event", out var first) && first.TryGetProperty("started", out _), export[0].ToString());
        var exported = export[^1].GetProperty("event").GetProperty("summary");
        Assert.Equal(TestCorpus.Count, exported.GetProperty("written").GetInt64());
        Assert.True(File.Exists(file));
        var summary = dryRun[^1].GetProperty("event").GetProperty("summary");
        Assert.True(summary.GetProperty("dryRun").GetBoolean());
        Assert.Contains(dryRun, e => e.GetProperty("event").TryGetProperty("progress", out _));
        var quota = Assert.Single(summary.GetProperty("quota").EnumerateArray());
        Assert.Equal("sqlite", quota.GetProperty("store").GetString());
        Assert.True(verify.IsSuccessStatusCode, await verify.Content.ReadAsStringAsync());
        using var report = JsonDocument.Parse(await verify.Content.ReadAsStringAsync());
        Assert.True(report.RootElement.GetProperty("report").GetProperty("clean").GetBoolean(), report.RootElement.ToString());
    }

    [Fact]
    public async Task Stores_verify_over_http_without_a_fallback_is_400_naming_the_setting_and_no_key_is_401()
    {
        using var stores = await Http.PostAsync("/v1/stores:verify", Json("{}"));
        using var anonymous = new HttpClient { BaseAddress = JsonAddress };
        using var noKey = await anonymous.PostAsync("/v1/stores:repair", Json("""{"dryRun": true}"""));

        Assert.Equal(HttpStatusCode.BadRequest, stores.StatusCode);
        using var error = JsonDocument.Parse(await stores.Content.ReadAsStringAsync());
        Assert.Equal((int)StatusCode.FailedPrecondition, error.RootElement.GetProperty("code").GetInt32());
        Assert.Contains("VectorStore:Fallback", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    [Fact]
    public async Task A_path_outside_the_allowed_directories_is_403_over_http_and_permission_denied_over_grpc_naming_the_key()
    {
        var outside = Path.Combine(_outside, "stolen.jsonl");
        var escape = Path.Combine(Server.Directory, "..", Path.GetFileName(_outside), "escape.jsonl");

        using var http = await Http.PostAsync("/v1/export", Json($$"""{"path": {{Quote(outside)}}}"""));
        var grpc = await Assert.ThrowsAsync<RpcException>(() => MigrationServiceTests.MigrateAsync(Server, new MigrateRequest
        {
            Source = new TransferEndpoint { Store = "primary" },
            Target = new TransferEndpoint { ExportFile = escape },
        }, ApiKey));
        var corpus = await Assert.ThrowsAsync<RpcException>(() => MigrationServiceTests.MigrateAsync(Server, new MigrateRequest
        {
            Source = new TransferEndpoint { Store = "primary" },
            Target = new TransferEndpoint { ExportFile = Path.Combine(Server.Directory, "corpus-refused.jsonl") },
            CorpusPath = "/etc/passwd",
            DryRun = true,
        }, ApiKey));

        Assert.Equal(HttpStatusCode.Forbidden, http.StatusCode);
        using var error = JsonDocument.Parse(await http.Content.ReadAsStringAsync());
        Assert.Equal((int)StatusCode.PermissionDenied, error.RootElement.GetProperty("code").GetInt32());
        Assert.Contains("Migration:AllowedDirectories", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, grpc.StatusCode);
        Assert.Contains("target.export_file", grpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, corpus.StatusCode);
        Assert.Contains("corpus_path", corpus.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_outside));
    }

    [Fact]
    public async Task A_symbolic_link_inside_the_data_directory_does_not_reach_outside_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // creating links needs a privilege there
        }

        var link = Path.Combine(Server.Directory, "exports-link");
        Directory.CreateSymbolicLink(link, _outside);

        var refused = await Assert.ThrowsAsync<RpcException>(() => MigrationServiceTests.MigrateAsync(Server, new MigrateRequest
        {
            Source = new TransferEndpoint { Store = "primary" },
            Target = new TransferEndpoint { ExportFile = Path.Combine(link, "through-link.jsonl") },
        }, ApiKey));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Empty(Directory.GetFiles(_outside));
    }

    [Fact]
    public async Task The_openapi_document_lists_the_transfer_routes()
    {
        using var anonymous = new HttpClient { BaseAddress = JsonAddress };
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        foreach (var route in new[] { "/v1/migrate", "/v1/verify", "/v1/export", "/v1/restore", "/v1/stores:verify", "/v1/stores:repair" })
        {
            Assert.True(paths.TryGetProperty(route, out var operations), route);
            Assert.True(operations.TryGetProperty("post", out _), route);
        }
    }

    private async Task<List<JsonElement>> StreamAsync(string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await HttpJsonHost.ReadLinesAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {string.Join('\n', events)}");
        Assert.NotEmpty(events);
        return events;
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    private static StringContent Json(string json) => HttpJsonHost.Body(json);
}
