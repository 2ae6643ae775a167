using Microsoft.Data.Sqlite;
using RagFood.Core.Durable;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>The SQLite side of group commit: one transaction per batch, a savepoint per write inside it, and the
/// store's new in-memory state published only after the batch's commit (its one fsync).</summary>
/// <typeparam name="TState">The store's immutable snapshot type.</typeparam>
internal sealed class SqliteWriteBatch<TState>(Func<SqliteConnection> connection, Action<TState> publish) : IGroupCommitTarget
    where TState : class
{
    private SqliteTransaction? _transaction;
    private long _savepoints;
    private long _batches;

    /// <summary>The running batch's number (unique per store), or 0 outside a batch.</summary>
    public long Id { get; private set; }

    /// <summary>Whether a batch is running (writes then publish into <see cref="Pending"/>).</summary>
    public bool InBatch => _transaction is not null;

    /// <summary>The state the batch's writes so far have produced; published on commit, dropped on abort.</summary>
    public TState? Pending { get; set; }

    public void Begin()
    {
        Pending = null;
        _transaction = connection().BeginTransaction();
        Id = ++_batches;
    }

    public void Commit()
    {
        var transaction = _transaction ?? throw new InvalidOperationException("No batch is running.");
        transaction.Commit();
        transaction.Dispose();
        _transaction = null;
        Id = 0;
        if (Pending is { } state)
        {
            publish(state);
        }

        Pending = null;
    }

    public void Abort()
    {
        try
        {
            _transaction?.Rollback();
        }
        catch (SqliteException)
        {
            // The failed commit has already ended the transaction.
        }
        catch (InvalidOperationException)
        {
            // Likewise: nothing left to roll back.
        }
        finally
        {
            _transaction?.Dispose();
            _transaction = null;
            Pending = null;
            Id = 0;
        }
    }

    /// <summary>A write's own transaction: a savepoint inside the running batch, or a transaction of its own outside one.</summary>
    public WriteTransaction BeginWrite() =>
        _transaction is { } batch
            ? new WriteTransaction(batch, "w" + (++_savepoints).ToString(System.Globalization.CultureInfo.InvariantCulture))
            : new WriteTransaction(connection().BeginTransaction(), savepoint: null);
}

/// <summary>What a write holds while it runs: <see cref="Commit"/> releases its savepoint (or commits its own
/// transaction); disposing without committing undoes just this write.</summary>
internal sealed class WriteTransaction : IDisposable
{
    private readonly SqliteTransaction _transaction;
    private readonly string? _savepoint;
    private bool _committed;

    public WriteTransaction(SqliteTransaction transaction, string? savepoint)
    {
        _transaction = transaction;
        _savepoint = savepoint;
        if (savepoint is not null)
        {
            transaction.Save(savepoint);
        }
    }

    /// <summary>The SQLite transaction the write's commands run in.</summary>
    public static implicit operator SqliteTransaction(WriteTransaction write) => write._transaction;

    public void Commit()
    {
        if (_savepoint is null)
        {
            _transaction.Commit();
        }
        else
        {
            _transaction.Release(_savepoint);
        }

        _committed = true;
    }

    public void Dispose()
    {
        if (_savepoint is null)
        {
            _transaction.Dispose();
        }
        else if (!_committed)
        {
            _transaction.Rollback(_savepoint);
            _transaction.Release(_savepoint);
        }
    }
}
