using System.Runtime.CompilerServices;
using Grpc.Core;
using RagFood.Contracts.V1;

namespace RagFood.Client;

/// <summary>MigrationService and StoresService calls.</summary>
/// <remarks>Transfers run as long as they need: these calls carry no deadline unless the caller's token ends them
/// (the default deadline is for interactive calls). Cancelling a migration leaves its checkpoint; resume continues.</remarks>
public sealed partial class RagFoodClient
{
    /// <summary>Streams a migration's events: started, progress per batch, paused (maybe), summary.</summary>
    public IAsyncEnumerable<TransferEvent> MigrateAsync(MigrateRequest request, CancellationToken cancellationToken = default) =>
        StreamAsync(request, (r, o) => _migration.Migrate(r, o), (MigrateResponse m) => m.Event, cancellationToken);

    /// <summary>Streams an export's events.</summary>
    public IAsyncEnumerable<TransferEvent> ExportAsync(ExportRequest request, CancellationToken cancellationToken = default) =>
        StreamAsync(request, (r, o) => _migration.Export(r, o), (ExportResponse m) => m.Event, cancellationToken);

    /// <summary>Streams a restore's events.</summary>
    public IAsyncEnumerable<TransferEvent> RestoreAsync(RestoreRequest request, CancellationToken cancellationToken = default) =>
        StreamAsync(request, (r, o) => _migration.Restore(r, o), (RestoreResponse m) => m.Event, cancellationToken);

    /// <summary>Compares a source with a target.</summary>
    public Task<VerifyResponse> VerifyAsync(VerifyRequest request, CancellationToken cancellationToken = default) =>
        UnaryAsync(request, (c, r, o) => c._migration.VerifyAsync(r, NoDeadline(o)), cancellationToken);

    /// <summary>Compares the configured primary and fallback stores.</summary>
    public Task<VerifyStoresResponse> VerifyStoresAsync(VerifyStoresRequest request, CancellationToken cancellationToken = default) =>
        UnaryAsync(request, (c, r, o) => c._stores.VerifyStoresAsync(r, NoDeadline(o)), cancellationToken);

    /// <summary>Makes one of the configured stores equal to the other.</summary>
    public Task<RepairStoresResponse> RepairStoresAsync(RepairStoresRequest request, CancellationToken cancellationToken = default) =>
        UnaryAsync(request, (c, r, o) => c._stores.RepairStoresAsync(r, NoDeadline(o)), cancellationToken);

    private static CallOptions NoDeadline(CallOptions options) => options.WithDeadline(DateTime.MaxValue);

    private async IAsyncEnumerable<TransferEvent> StreamAsync<TRequest, TResponse>(
        TRequest request,
        Func<TRequest, CallOptions, AsyncServerStreamingCall<TResponse>> start,
        Func<TResponse, TransferEvent?> select,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TRequest : class
    {
        ArgumentNullException.ThrowIfNull(request);
        using var call = Translate(() => start(request, NoDeadline(new CallOptions(cancellationToken: cancellationToken))), cancellationToken);
        var stream = call.ResponseStream;
        while (await TranslateAsync(() => stream.MoveNext(cancellationToken), cancellationToken).ConfigureAwait(false))
        {
            if (select(stream.Current) is { } e)
            {
                yield return e;
            }
        }
    }
}
