using RagFood.Core.VectorStores;
using RagFood.Server.Composition;
using RagFood.Transfer;
using RagFood.Transfer.Export;
using RagFood.Transfer.Sinks;
using RagFood.Transfer.Sources;
using V1 = RagFood.Contracts.V1;

namespace RagFood.Server.Transfer;

/// <summary>Turns the endpoints of a transfer request into sources and sinks: configured stores (by role or name),
/// legacy chroma_db directories, export files. Paths resolve against the content root and must lie in
/// <c>Migration:AllowedDirectories</c> (<see cref="TransferPathPolicy"/>). Store roles are read from the composition
/// current when the request arrives; a provider registered as a standby (<c>VectorStore:Standby</c>) can be named too,
/// so data can be moved into the store a later swap will serve from.</summary>
internal sealed class TransferEndpoints(IServiceProvider services, IStoreComposition composition, RegisteredProviders registered, TransferPathPolicy paths)
{
    /// <summary>The composition current now: after a rollback by configuration, "primary" names the new primary.</summary>
    private VectorStoreTopology Topology => composition.Current.Topology;

    /// <summary>Upsert limits per provider: Upstash documents 1000 vectors per request; the SQLite store takes 1000;
    /// the Chroma provider splits larger calls itself up to its configured maximum.</summary>
    public static int MaxBatchSize(string provider) => provider switch
    {
        "chroma" => 10_000,
        _ => 1000,
    };

    public string PrimaryName => Topology.PrimaryName;

    public string FallbackName => Topology.FallbackName;

    /// <summary>A configured store: "primary" (or empty), "fallback", or a configured provider's name.</summary>
    public IVectorStore Store(string name, string field)
    {
        var key = name.Trim().ToLowerInvariant() switch
        {
            "" or "primary" => Topology.PrimaryName,
            "fallback" => Topology.FallbackName.Length > 0
                ? Topology.FallbackName
                : throw new TransferInputException($"{field}: no fallback store is configured (VectorStore:Fallback)."),
            var provider when Registered().Contains(provider, StringComparer.Ordinal) => provider,
            var other => throw new TransferInputException(
                $"{field}: store '{other}' is not configured here (configured: {Configured()}; or use 'primary' / 'fallback')."),
        };
        return services.GetRequiredKeyedService<IVectorStore>(key);
    }

    public IRecordSource Source(V1.TransferEndpoint? endpoint, string field, string defaultStore = "")
    {
        switch (endpoint?.KindCase ?? V1.TransferEndpoint.KindOneofCase.None)
        {
            case V1.TransferEndpoint.KindOneofCase.None:
                if (defaultStore.Length == 0)
                {
                    throw new TransferInputException($"{field} is required: a store, a chroma_db directory or an export file.");
                }

                return new StoreRecordSource(Store(defaultStore, field));
            case V1.TransferEndpoint.KindOneofCase.Store:
                return new StoreRecordSource(Store(endpoint!.Store, field));
            case V1.TransferEndpoint.KindOneofCase.ChromaDb:
                var location = endpoint!.ChromaDb;
                if (string.IsNullOrWhiteSpace(location.Path))
                {
                    throw new TransferInputException($"{field}.chroma_db.path is required.");
                }

                var path = paths.ResolveRequested(location.Path, field + ".chroma_db.path");
                if (!Directory.Exists(path) && !File.Exists(path))
                {
                    throw new TransferInputException($"{field}: the chroma_db directory '{path}' does not exist.");
                }

                return new ChromaDbRecordSource(path, string.IsNullOrWhiteSpace(location.Collection) ? "foods" : location.Collection, location.EmbeddingModel);
            default:
                return string.IsNullOrWhiteSpace(endpoint!.ExportFile)
                    ? throw new TransferInputException($"{field}.export_file must name a file.")
                    : new ExportFileSource(paths.ResolveRequested(endpoint.ExportFile, field + ".export_file"));
        }
    }

    public IRecordSink Sink(V1.TransferEndpoint? endpoint, bool gzip, string field)
    {
        switch (endpoint?.KindCase ?? V1.TransferEndpoint.KindOneofCase.None)
        {
            case V1.TransferEndpoint.KindOneofCase.None:
                throw new TransferInputException($"{field} is required: a store or an export file.");
            case V1.TransferEndpoint.KindOneofCase.Store:
                var store = Store(endpoint!.Store, field);
                return new StoreRecordSink(store, MaxBatchSize(store.Name));
            case V1.TransferEndpoint.KindOneofCase.ChromaDb:
                throw new TransferInputException($"{field}: a chroma_db directory can only be read; write to a store or an export file.");
            default:
                return string.IsNullOrWhiteSpace(endpoint!.ExportFile)
                    ? throw new TransferInputException($"{field}.export_file must name a file.")
                    : new ExportFileSink(paths.ResolveRequested(endpoint.ExportFile, field + ".export_file"), gzip);
        }
    }

    /// <summary>Refuses a transfer whose source and target are the same store or the same export file.</summary>
    /// <remarks>Such a run writes nothing new (or rewrites a store while paging through it, or a file while reading it),
    /// and its verification compares the data with itself, so it always reads clean: a caller who mixed up the names
    /// (say, "primary" after a cutover) would be told a migration succeeded that never happened.</remarks>
    /// <exception cref="TransferInputException">Both sides name the same store or file.</exception>
    public static void EnsureDistinct(IRecordSource source, IRecordSink target)
    {
        if (string.Equals(source.Name, target.Name, StringComparison.Ordinal))
        {
            throw new TransferInputException(
                $"source and target are both '{source.Name}': a transfer into itself copies nothing and verifies clean against itself. " +
                "Name another configured store ('fallback', or a provider listed in VectorStore:Standby) or an export file as the target.");
        }
    }

    /// <summary>A path a request names (checked against <c>Migration:AllowedDirectories</c>).</summary>
    public string ResolveRequested(string path, string field) => paths.ResolveRequested(path, field);

    /// <summary>A path from the server's configuration (not checked).</summary>
    public string ResolveConfigured(string path) => paths.ResolveConfigured(path);

    private string Configured() => string.Join(", ", Registered());

    /// <summary>The primary, the fallback, then the standbys, by provider name.</summary>
    private IEnumerable<string> Registered() => new[] { Topology.PrimaryName, Topology.FallbackName }
        .Concat(registered.Providers.Select(VectorStoreTopology.ProviderName).Order(StringComparer.Ordinal))
        .Where(name => name.Length > 0)
        .Distinct(StringComparer.Ordinal);
}
