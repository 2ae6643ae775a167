using RagFood.Client;
using RagFood.Testing;

namespace RagFood.Client.Tests.Support;

/// <summary>One real server (auth off) with the ten-item test corpus, shared by the tests of a collection.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const int CorpusSize = 10;

    private ServerProcess? _server;

    public Uri Address => _server?.Address ?? throw new InvalidOperationException("The server is not running.");

    internal ServerProcess Server => _server ?? throw new InvalidOperationException("The server is not running.");

    /// <summary>A client for this server; the caller disposes it.</summary>
    public RagFoodClient CreateClient(Action<RagFoodClientOptions>? configure = null) =>
        RagFoodClient.Create(Address.OriginalString, configure);

    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string>
        {
            ["Ingestion__OnStart"] = "true",
            ["Ingestion__CorpusPath"] = Path.Combine(AppContext.BaseDirectory, "TestData", "foods.json"),
            ["Ollama__Url"] = "",
        };
        _server = await ServerProcess.StartAsync(environment, ready: CorpusLoadedAsync);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static async Task<bool> CorpusLoadedAsync(Uri address, CancellationToken cancellationToken)
    {
        using var client = RagFoodClient.Create(address.OriginalString, o => o.MaxRetries = 0);
        try
        {
            var info = await client.InfoAsync(cancellationToken);
            return info.Namespaces.FirstOrDefault(n => n.Name.Length == 0)?.VectorCount >= CorpusSize;
        }
        catch (RagFoodException)
        {
            return false;
        }
    }
}

/// <summary>A real server that requires the API key <see cref="ApiKey"/>; no corpus.</summary>
public sealed class AuthServerFixture : IAsyncLifetime
{
    public const string ApiKey = "test-key-5f0c1d";

    private ServerProcess? _server;

    public Uri Address => _server?.Address ?? throw new InvalidOperationException("The server is not running.");

    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string>
        {
            ["Ingestion__OnStart"] = "false",
            ["Auth__ApiKeys__0"] = ApiKey,
            ["Ollama__Url"] = "",
        };
        _server = await ServerProcess.StartAsync(environment);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>, ICollectionFixture<AuthServerFixture>
{
    public const string Name = "RagFood server";
}
