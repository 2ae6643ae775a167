using RagFood.Core.VectorStores;
using RagFood.Server.Composition;

namespace RagFood.Server.Grpc;

/// <summary>Which store served a call: what the fallback decorator recorded, else the configured primary.</summary>
internal readonly record struct ServingInfo(string ServedBy, bool FallbackUsed)
{
    public static ServingInfo From(ServingScope scope, VectorStoreTopology topology) =>
        new(scope.StoreName ?? topology.PrimaryName, scope.FallbackUsed);
}
