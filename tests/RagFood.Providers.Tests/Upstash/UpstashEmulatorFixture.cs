using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagFood.Providers.Tests.Support;
using RagFood.Providers.Upstash;
using RagFood.UpstashEmulator;

namespace RagFood.Providers.Tests.Upstash;

/// <summary>All Upstash test classes share one emulator and run one after another (the conformance suite's
/// reset-all test empties the whole index).</summary>
[CollectionDefinition(Name)]
public sealed class UpstashCollection : ICollectionFixture<UpstashEmulatorFixture>
{
    public const string Name = "Upstash emulator";
}

/// <summary>One emulated dense index (cosine, 256-d) with a hosted model played by the word-hash test embedder,
/// on a free loopback port.</summary>
public sealed class UpstashEmulatorFixture : IAsyncLifetime
{
    public const int Dimension = 256;

    private RunningEmulator? _emulator;

    public RunningEmulator Emulator => _emulator ?? throw new InvalidOperationException("Not started.");

    public string ModelName => "test-word-hash-256";

    public async Task InitializeAsync() =>
        _emulator = await EmulatorHost.StartAsync(
            new EmulatorOptions { Dimension = Dimension, EmbeddingModel = ModelName },
            new WordHashEmbeddingGenerator(Dimension));

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }
}

/// <summary>Builds stores and raw clients against an emulator.</summary>
internal static class UpstashTestHost
{
    /// <summary>A store from a real service provider (AddUpstashVectorStore, keyed registration, resilience
    /// pipeline), with fast test timings unless <paramref name="configure"/> says otherwise.</summary>
    public static StoreHandle CreateStore(RunningEmulator emulator, Action<UpstashVectorStoreOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddUpstashVectorStore(options =>
        {
            options.Url = emulator.Url;
            options.Token = emulator.Token;
            options.RetryDelay = TimeSpan.FromMilliseconds(10);
            options.Timeout = TimeSpan.FromSeconds(20);
            options.AttemptTimeout = TimeSpan.FromSeconds(10);
            configure?.Invoke(options);
        });
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new StoreHandle(provider, provider.GetRequiredService<UpstashVectorStore>());
    }

    public static HttpClient RawClient(RunningEmulator emulator, string? token = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(emulator.Url + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? emulator.Token);
        return client;
    }

    /// <summary>POSTs raw JSON (no Content-Type, as the Go SDK does) and returns status and parsed body.</summary>
    public static async Task<(int Status, JsonElement Body)> PostAsync(HttpClient client, string path, string? json, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path);
        if (json is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }

    public static async Task<JsonElement> ResultAsync(HttpClient client, string path, string? json)
    {
        var (status, body) = await PostAsync(client, path, json);
        Assert.True(status == 200, $"{path} answered {status}: {body}");
        return body.GetProperty("result");
    }
}

/// <summary>A store and the service provider that owns its HTTP pipeline.</summary>
internal sealed class StoreHandle(ServiceProvider provider, UpstashVectorStore store) : IAsyncDisposable
{
    public UpstashVectorStore Store { get; } = store;

    public ServiceProvider Services { get; } = provider;

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
