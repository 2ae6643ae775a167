using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RagFood.Core.Retrieval;
using RagFood.Core.VectorStores;
using RagFood.Server.Grpc;
using RagFood.Server.Logging;

namespace RagFood.Server.Rag;

/// <summary>The relevance floor for the composed store: the floor calibrated for its embedding space
/// (<c>Rag:RelevanceFloorsFile</c>), else <c>Rag:MinScore</c>.</summary>
/// <remarks>The space comes from the store's Info (cached); a failover store serves one space, so the floor holds for
/// whichever store answers. The floors file is read once; each space's choice is logged once.</remarks>
internal sealed class RelevanceFloorProvider(StoreInfoCache storeInfo, IOptionsMonitor<RagOptions> ragOptions, ILogger<RelevanceFloorProvider> logger)
{
    private readonly Lazy<RelevanceFloors> _floors = new(() => LoadFloors(ragOptions.CurrentValue, logger));
    private readonly ConcurrentDictionary<(EmbeddingSpace, double), bool> _logged = new();

    /// <summary>The floor scores must reach to count as context.</summary>
    public async Task<double> GetAsync(CancellationToken cancellationToken)
    {
        var options = ragOptions.CurrentValue;
        if (!options.UseRelevanceFloors)
        {
            return options.MinScore;
        }

        EmbeddingSpace space;
        try
        {
            space = (await storeInfo.GetAsync(cancellationToken).ConfigureAwait(false)).Space;
        }
        catch (VectorStoreException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.RelevanceSpaceUnknown(logger, ex.Message, options.MinScore);
            return options.MinScore;
        }

        var calibrated = _floors.Value.Find(space);
        var floor = calibrated?.Floor ?? options.MinScore;
        if (_logged.TryAdd((space, floor), true))
        {
            Log.RelevanceFloorChosen(logger, space.ToString(), floor, calibrated is null ? "no calibrated floor for this space: Rag:MinScore" : "calibrated");
        }

        return floor;
    }

    private static RelevanceFloors LoadFloors(RagOptions options, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(options.RelevanceFloorsFile))
        {
            return RelevanceFloors.Empty;
        }

        var path = Path.IsPathRooted(options.RelevanceFloorsFile)
            ? options.RelevanceFloorsFile
            : Path.Combine(AppContext.BaseDirectory, options.RelevanceFloorsFile);
        try
        {
            return RelevanceFloors.Load(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
        {
            Log.RelevanceFloorsUnreadable(logger, path, ex.Message);
            return RelevanceFloors.Empty;
        }
    }
}
