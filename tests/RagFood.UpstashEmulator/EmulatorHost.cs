using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.AI;
using RagFood.Core.Embeddings;

namespace RagFood.UpstashEmulator;

/// <summary>Starts the emulator: in-process for tests (<see cref="StartAsync"/>) or as a program (<see cref="RunAsync"/>).</summary>
public static class EmulatorHost
{
    /// <summary>Starts an emulator on a free loopback port.</summary>
    /// <param name="options">The index to emulate; not shared with the caller after start (faults change through the admin handle).</param>
    /// <param name="embedder">The hosted model's stand-in; default RagFood's hashing embedder when a model is configured.</param>
    public static async Task<RunningEmulator> StartAsync(EmulatorOptions options, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Explicit protocols: a test directory may hold an appsettings.json whose endpoint defaults are HTTP/2 only.
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1AndHttp2));
        var app = Build(builder, options, embedder);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningEmulator(app, new Uri(address), options, app.Services.GetRequiredService<EmulatorAdmin>());
    }

    /// <summary>Runs until stopped, configured from <c>args</c> (section <c>Emulator</c>; <c>--urls</c>, default http://127.0.0.1:8787).</summary>
    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8787");
        }

        var options = builder.Configuration.GetSection("Emulator").Get<EmulatorOptions>() ?? new EmulatorOptions();
        var app = Build(builder, options, embedder: null);
        app.Lifetime.ApplicationStarted.Register(() => EmulatorLog.Started(app.Logger, options.IndexType, options.Dimension, options.Similarity, options.EmbeddingModel, app.Urls));
        await app.RunAsync().ConfigureAwait(false);
    }

    private static WebApplication Build(WebApplicationBuilder builder, EmulatorOptions options, IEmbeddingGenerator<string, Embedding<float>>? embedder)
    {
        Validate(options);
        if (embedder is null && options.EmbeddingModel.Length > 0 && options.IndexType != EmulatedIndexType.Sparse)
        {
            embedder = new HashingEmbeddingGenerator(options.Dimension);
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new VectorIndex(options, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(new EmulatorEmbedder(options, embedder));
        builder.Services.AddSingleton(sp => new FaultInjector(options.Faults, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<EmulatorStats>();
        builder.Services.AddSingleton(sp => new EmulatorAdmin(sp.GetRequiredService<FaultInjector>(), sp.GetRequiredService<EmulatorStats>()));
        builder.Services.AddSingleton<EmulatorEndpoints>();

        var app = builder.Build();
        var index = app.Services.GetRequiredService<VectorIndex>();
        if (options.SnapshotPath is { Length: > 0 } path)
        {
            var snapshot = new Snapshot(path, index);
            snapshot.Load();
            index.Written += () => index.Read(namespaces =>
            {
                snapshot.Save(namespaces);
                return true;
            });
            app.Lifetime.ApplicationStopping.Register(() => index.Read(namespaces =>
            {
                snapshot.Save(namespaces);
                return true;
            }));
        }

        var endpoints = app.Services.GetRequiredService<EmulatorEndpoints>();
        app.Run(endpoints.HandleAsync);
        return app;
    }

    private static void Validate(EmulatorOptions options)
    {
        if (options.IndexType != EmulatedIndexType.Sparse && options.Dimension <= 0)
        {
            throw new ArgumentException($"Emulator:Dimension must be positive for a {options.IndexType} index.", nameof(options));
        }

        if (string.IsNullOrEmpty(options.Token))
        {
            throw new ArgumentException("Emulator:Token must not be empty.", nameof(options));
        }

        if (options.IndexType == EmulatedIndexType.Dense && options.SparseEmbeddingModel.Length > 0)
        {
            throw new ArgumentException("A dense index cannot have a sparse embedding model.", nameof(options));
        }

        if (options.IndexType == EmulatedIndexType.Sparse && options.EmbeddingModel.Length > 0)
        {
            throw new ArgumentException("A sparse index cannot have a dense embedding model.", nameof(options));
        }
    }
}

/// <summary>A running emulator: its base URL, tokens and admin handle. Dispose to stop it.</summary>
public sealed class RunningEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    internal RunningEmulator(WebApplication app, Uri baseUrl, EmulatorOptions options, EmulatorAdmin admin)
    {
        _app = app;
        BaseUrl = baseUrl;
        Options = options;
        Admin = admin;
    }

    /// <summary>The index URL (what UPSTASH_VECTOR_REST_URL would hold), without a trailing slash.</summary>
    public Uri BaseUrl { get; }

    public string Url => BaseUrl.ToString().TrimEnd('/');

    public string Token => Options.Token;

    public string ReadOnlyToken => Options.ReadOnlyToken;

    public EmulatorOptions Options { get; }

    public EmulatorAdmin Admin { get; }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>The emulator's own log lines.</summary>
internal static partial class EmulatorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Upstash Vector emulator: {IndexType} index, dimension {Dimension}, {Similarity}, embedding model '{Model}', at {Urls}")]
    public static partial void Started(ILogger logger, EmulatedIndexType indexType, int dimension, EmulatedSimilarity similarity, string model, ICollection<string> urls);
}
