using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using RagFood.Contracts.V1;
using RagFood.Server.Ingestion;

namespace RagFood.Server.Tests.Support;

/// <summary>The real RagFood server (the same wiring as Program.cs) on a free loopback port, with its own data directory.</summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private ServerHost(WebApplication app, string directory, bool ownsDirectory, Uri address)
    {
        _app = app;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
    }

    public string Directory { get; }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public IServiceProvider Services => _app.Services;

    public VectorService.VectorServiceClient Vector => new(Channel);

    public RagService.RagServiceClient Rag => new(Channel);

    public DiagnosticsService.DiagnosticsServiceClient Diagnostics => new(Channel);

    public global::Grpc.Health.V1.Health.HealthClient Health => new(Channel);

    /// <summary>Starts a server. Settings are layered over the test defaults: SQLite file and corpus in the data directory,
    /// built-in embedder, no Ollama, no auth, transfers allowed anywhere under the temp directory.</summary>
    /// <param name="settings">Configuration overrides (null values remove a default).</param>
    /// <param name="directory">Data directory to reuse (e.g. to restart on the same store); a new temp directory otherwise.</param>
    /// <param name="configureServices">Extra registrations applied after the server's own.</param>
    public static async Task<ServerHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        string? directory = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var ownsDirectory = directory is null;
        directory ??= System.IO.Directory.CreateTempSubdirectory("ragfood-server-tests-").FullName;
        var corpus = Path.Combine(directory, "foods.json");
        if (!File.Exists(corpus))
        {
            TestCorpus.WriteTo(directory);
        }

        var defaults = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["VectorStore:Provider"] = "Sqlite",
            ["VectorStore:Sqlite:Path"] = Path.Combine(directory, "ragfood.db"),
            ["Embeddings:Provider"] = "BuiltIn",
            ["Ingestion:CorpusPath"] = corpus,
            ["Logging:LogLevel:Default"] = "Warning",
            // Test fixtures (legacy chroma_db copies, corpora, export files) live in their own temp directories; the
            // default (the content root only) is tested by removing this key.
            ["Migration:AllowedDirectories:0"] = Path.GetTempPath(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            // null removes a default, so that the key comes from the directory's appsettings.json instead.
            if (value is null)
            {
                defaults.Remove(key);
            }
            else
            {
                defaults[key] = value;
            }
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = directory,
            EnvironmentName = "Testing",
        });
        builder.Configuration.AddInMemoryCollection(defaults);
        builder.AddRagFoodServer();
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapRagFoodServer();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new ServerHost(app, directory, ownsDirectory, new Uri(address));
    }

    /// <summary>Settings for a server whose primary is the emulator, with no start-up ingestion, plus <paramref name="more"/>.</summary>
    public static Dictionary<string, string?> OnUpstash(RagFood.UpstashEmulator.RunningEmulator emulator, params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Upstash",
            ["VectorStore:Upstash:Url"] = emulator.Url,
            ["VectorStore:Upstash:Token"] = emulator.Token,
            ["Ingestion:OnStart"] = "false",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Waits until the start-up ingestion has finished and returns what it did.</summary>
    internal async Task<IngestionStatus> WaitForIngestionAsync()
    {
        var status = Services.GetRequiredService<IngestionStatus>();
        await status.Finished.WaitAsync(TimeSpan.FromMinutes(2));
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open on some platforms; the OS cleans temp directories.
            }
        }
    }
}

/// <summary>One server shared by the tests of a collection, started with the test corpus ingested.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private ServerHost? _host;

    public ServerHost Host => _host ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync()
    {
        _host = await ServerHost.StartAsync();
        await _host.WaitForIngestionAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "RagFood server";
}
