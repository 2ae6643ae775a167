using RagFood.Core.Telemetry;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Usage;

/// <summary>Counts every call into one store in an <see cref="IUsageLedger"/>, under the store's name and the operation.</summary>
/// <remarks>
/// A call is counted once it has been handed to the store and has either answered or failed in the store
/// (<see cref="VectorStoreException"/>): that is a request the store may bill. Argument errors (rejected before any
/// I/O) and calls the caller cancelled before an answer are not counted. One contract call counts as one call even
/// when a provider splits it into several HTTP requests; units count the records written, returned or removed. Calls
/// inside a <see cref="HealthProbeScope"/> are counted as <c>health_probe</c> (a read).
/// </remarks>
public sealed class UsageCountingVectorStore : ObservedVectorStore
{
    private readonly IUsageLedger _ledger;

    public UsageCountingVectorStore(IVectorStore innerStore, IUsageLedger ledger)
        : base(innerStore)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _ledger = ledger;
    }

    protected override async Task<T> ObserveAsync<T>(string operation, string @namespace, Func<CancellationToken, Task<T>> call, Func<T, long> records, CancellationToken cancellationToken)
    {
        // A health probe's call is billed like any other, but counted under its own kind so that it is not taken for user spend.
        operation = HealthProbeScope.IsActive ? HealthProbeScope.ProbeOperation : operation;
        T result;
        try
        {
            result = await call(cancellationToken).ConfigureAwait(false);
        }
        catch (VectorStoreException)
        {
            _ledger.Record(InnerStore.Name, operation);
            throw;
        }

        _ledger.Record(InnerStore.Name, operation, records(result));
        return result;
    }
}
