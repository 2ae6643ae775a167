using RagFood.Core.VectorStores;

namespace RagFood.Server.Tests.Support;

/// <summary>A store whose every call throws <see cref="Failure"/> when it is set, and otherwise forwards to the inner store.</summary>
public sealed class ScriptedVectorStore(IVectorStore inner, string name) : DelegatingVectorStore(inner)
{
    public override string Name => name;

    /// <summary>What the next calls throw; <c>null</c> forwards.</summary>
    public Exception? Failure { get; set; }

    public override Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default) =>
        Failure is { } failure ? Task.FromException<IReadOnlyList<ScoredRecord>>(failure) : base.QueryAsync(query, cancellationToken);

    public override Task<VectorStoreInfo> GetInfoAsync(CancellationToken cancellationToken = default) =>
        Failure is { } failure ? Task.FromException<VectorStoreInfo>(failure) : base.GetInfoAsync(cancellationToken);

    public override Task<UpsertResult> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default) =>
        Failure is { } failure ? Task.FromException<UpsertResult>(failure) : base.UpsertAsync(request, cancellationToken);
}
