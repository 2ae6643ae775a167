using System.Diagnostics;
using Microsoft.Data.Sqlite;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite.Internal;

namespace RagFood.Providers.Sqlite;

/// <summary>The store's internals: publishing states, opening the file, mapping rows to records.</summary>
public sealed partial class SqliteVectorStore
{
    // ---- Internals: state --------------------------------------------------------------------------------------

    /// <summary>Makes a new state visible to readers; inside a group-commit batch only once the batch is durable.</summary>
    private void Publish(StoreState state)
    {
        if (_batch.InBatch)
        {
            _batch.Pending = state;
        }
        else
        {
            Volatile.Write(ref _state, state);
        }
    }

    private async ValueTask<StoreState> GetStateAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Every operation passes here first, so a cancelled caller gets no answer even when nothing would block.
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _state) is { } state)
        {
            return state;
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _state ?? await OpenLockedAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask<NamespaceIndex?> GetIndexAsync(string ns, CancellationToken cancellationToken)
    {
        var state = await GetStateAsync(cancellationToken);
        if (!state.Namespaces.TryGetValue(ns, out var nsState))
        {
            return null;
        }

        if (nsState.Index is { } loaded)
        {
            return loaded;
        }

        return await WriteAsync("load", current => LoadIndexLocked(current, ns, create: false), cancellationToken);
    }

    /// <summary>Runs a write (or a load) under the write lock on the current state, translating SQLite failures.</summary>
    /// <remarks>Through the group committer: concurrent writes share one transaction and one fsync (each in its own
    /// savepoint), and each returns only once that commit is durable.</remarks>
    private async Task<T> WriteAsync<T>(string operation, Func<StoreState, T> action, CancellationToken cancellationToken)
    {
        try
        {
            return await _committer.SubmitAsync(() =>
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                cancellationToken.ThrowIfCancellationRequested();
                return action(_batch.Pending ?? _state ?? throw new ObjectDisposedException(nameof(SqliteVectorStore)));
            }, cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw SqliteFile.Translate(operation, ex, DatabasePath, _logger);
        }
    }

    /// <summary>Returns the loaded index of a namespace, loading it from the file if needed (write lock held).</summary>
    private NamespaceIndex? LoadIndexLocked(StoreState state, string ns, bool create)
    {
        if (state.Namespaces.TryGetValue(ns, out var nsState))
        {
            if (nsState.Index is { } loaded)
            {
                return loaded;
            }
        }
        else
        {
            return create ? NamespaceIndex.Empty(ns, state.Space.Dimension) : null;
        }

        var stopwatch = Stopwatch.StartNew();
        var dimension = state.Space.Dimension;
        var builder = NamespaceIndex.Empty(ns, dimension, nsState.NextSequence).ToBuilder();
        builder.ReserveAppends((int)Math.Min(nsState.Count, int.MaxValue));
        SqliteFile.ReadNamespace(_connection!, ns, dimension, builder, DatabasePath);

        var index = builder.Build();
        Publish(state.WithIndex(index));
        SqliteLog.NamespaceLoaded(_logger, ns, index.LiveCount, stopwatch.ElapsedMilliseconds);
        return index;
    }

    // ---- Internals: opening ------------------------------------------------------------------------------------

    private async Task<StoreState> OpenLockedAsync(CancellationToken cancellationToken)
    {
        var configured = await _embedder.GetSpaceAsync(cancellationToken);
        var directory = Path.GetDirectoryName(DatabasePath);
        SqliteConnection? connection = null;
        try
        {
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            connection = SqliteFile.Open(DatabasePath, _options.BusyTimeout);
            var (space, created) = SqliteFile.InitialiseSchema(connection, configured, DatabasePath);
            var namespaces = SqliteFile.ReadNamespaces(connection);
            _connection = connection;
            var state = new StoreState(space, namespaces);
            Publish(state);
            if (created)
            {
                SqliteLog.Created(_logger, DatabasePath, space);
            }

            var total = namespaces.Values.Sum(n => n.Count);
            SqliteLog.Opened(_logger, DatabasePath, SqliteSchema.Version, space, namespaces.Count, total);
            return state;
        }
        catch (SqliteException ex)
        {
            connection?.Dispose();
            throw SqliteFile.Translate("open", ex, DatabasePath, _logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            throw new VectorStoreException(Name, VectorStoreErrorKind.Unavailable,
                $"The SQLite store could not create or open {DatabasePath}: {ex.Message}", ex);
        }
        catch
        {
            connection?.Dispose();
            throw;
        }
    }

    // ---- Internals: validation and mapping ---------------------------------------------------------------------

    private static VectorRecord ToRecord(NamespaceIndex index, int slot, Include include)
    {
        var record = index.Slots[slot]!;
        return new VectorRecord(record.Id)
        {
            Text = include.Text ? record.Text : null,
            Metadata = include.Metadata ? record.Metadata : null,
            Vector = include.Vectors ? index.CopyVector(slot) : null,
        };
    }
}
