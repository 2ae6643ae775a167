using System.Globalization;
using Microsoft.Data.Sqlite;

namespace RagFood.Core.Durable;

/// <summary>A small SQLite file of RagFood's own state beside the stores (the write journals today; migration
/// checkpoints and usage counters are meant to live in the same kind of file), opened one way for everyone.</summary>
/// <remarks>
/// <para><b>Durability.</b> WAL mode with <c>synchronous=FULL</c>: a statement's commit is fsynced before it returns,
/// so whatever a caller was told is stored survives a killed process or a power cut.</para>
/// <para><b>Ownership.</b> <c>locking_mode=EXCLUSIVE</c>: the one process that opened the file holds it; a second
/// opener fails after <see cref="DurableSideFileOptions.BusyTimeout"/> (two replayers would race each other). Each
/// RagFood instance keeps its own file.</para>
/// <para><b>Schema versions.</b> Each component that keeps tables here names itself and its schema version through
/// <see cref="EnsureSchemaAsync"/>; versions are kept per component in a <c>side_file_schema</c> table, so that a
/// journal and a checkpoint table evolve apart. A file written by a newer RagFood is refused, never rewritten.</para>
/// <para>All calls are serialised over one connection, opened on first use. Appends that may come from many callers at
/// once go through <see cref="CommitAsync{T}"/>: a <see cref="GroupCommitter"/> on the same gate, so concurrent appends
/// share one transaction and one fsync.</para>
/// </remarks>
public sealed class DurableSideFile : IAsyncDisposable, IDisposable, IGroupCommitTarget
{
    private readonly DurableSideFileOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly GroupCommitter _committer;
    private SqliteConnection? _connection;
    private SqliteTransaction? _batch;
    private bool _disposed;

    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public DurableSideFile(DurableSideFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new DurableSideFileOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        _options = options;
        DatabasePath = Path.GetFullPath(options.Path);
        _committer = new GroupCommitter(this, _gate, options.GroupCommit ? options.MaxGroupCommitBatch : 1);
    }

    /// <summary>The absolute path of the file.</summary>
    public string DatabasePath { get; }

    /// <summary>Creates or upgrades a component's tables once per file.</summary>
    /// <param name="component">The component's name, e.g. <c>journal</c>.</param>
    /// <param name="version">The schema version this build writes (1 or more).</param>
    /// <param name="migrate">Runs inside a transaction with the version found (0 when the component is new); must
    /// bring the tables to <paramref name="version"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for the file.</param>
    /// <exception cref="InvalidOperationException">The file holds a newer version of the component.</exception>
    public Task EnsureSchemaAsync(string component, int version, Action<SqliteConnection, int> migrate, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(component);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentNullException.ThrowIfNull(migrate);
        return UseAsync(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT version FROM side_file_schema WHERE component = $c";
            command.Parameters.AddWithValue("$c", component);
            var found = command.ExecuteScalar() is { } v ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : 0;
            if (found > version)
            {
                throw new InvalidOperationException(
                    $"'{DatabasePath}' holds {component} schema version {found}; this RagFood understands up to {version}.");
            }

            if (found < version)
            {
                migrate(connection, found);
                command.CommandText = "INSERT INTO side_file_schema (component, version) VALUES ($c, $v) "
                    + "ON CONFLICT (component) DO UPDATE SET version = excluded.version";
                command.Parameters.AddWithValue("$v", version);
                command.ExecuteNonQuery();
            }

            transaction.Commit();
            return found;
        }, cancellationToken);
    }

    /// <summary>Runs <paramref name="action"/> on the file's connection, one caller at a time.</summary>
    public async Task<T> UseAsync<T>(Func<SqliteConnection, T> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _connection ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
            return action(_connection);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="write"/> in the next group commit and returns its result once that commit is
    /// durable (fsynced).</summary>
    /// <param name="write">Fills in and executes the command it is given (bound to the file's connection and the batch's
    /// transaction) and returns what the caller should get.</param>
    /// <param name="cancellationToken">Cancels waiting for the batch.</param>
    /// <remarks>The write runs inside a transaction shared with the other writes of its batch, on the caller's thread
    /// or another caller's, under the file's gate. It must be repeatable: when another write of its batch fails, the
    /// batch is rolled back and each write runs again on its own (see <see cref="GroupCommitter"/>). A caller cancelled
    /// before its write was taken gets <see cref="OperationCanceledException"/> and nothing is written; once taken, the
    /// write completes.</remarks>
    public async Task<T> CommitAsync<T>(Func<SqliteCommand, T> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (Volatile.Read(ref _connection) is null)
        {
            // Opening is asynchronous and a batch is not: open first, outside any batch.
            await UseAsync(static _ => 0, cancellationToken).ConfigureAwait(false);
        }

        return await _committer.SubmitAsync(() =>
        {
            using var command = _connection!.CreateCommand();
            command.Transaction = _batch;
            return write(command);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Batches committed by <see cref="CommitAsync{T}"/> so far (for tests and metrics).</summary>
    public long GroupCommits => _committer.Batches;

    void IGroupCommitTarget.Begin()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = _connection ?? throw new InvalidOperationException($"'{DatabasePath}' is not open.");
        _batch = connection.BeginTransaction(deferred: false);
    }

    void IGroupCommitTarget.Commit()
    {
        var batch = _batch ?? throw new InvalidOperationException("No batch is running.");
        batch.Commit();
        batch.Dispose();
        _batch = null;
    }

    void IGroupCommitTarget.Abort()
    {
        try
        {
            _batch?.Rollback();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            // The failed commit has already ended the transaction.
        }
        finally
        {
            _batch?.Dispose();
            _batch = null;
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Not pooled: disposing must release the file (and its exclusive lock) at once.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds),
        }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            // busy_timeout first, so that a file held by another process waits before failing. locking_mode=EXCLUSIVE
            // before journal_mode=WAL keeps the WAL index in process memory; the lock is taken by the first write.
            command.CommandText = $"""
                PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds};
                PRAGMA locking_mode = EXCLUSIVE;
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                CREATE TABLE IF NOT EXISTS side_file_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
                """;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the file and releases its lock.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_disposed)
            {
                _disposed = true;
                if (_connection is not null)
                {
                    await _connection.DisposeAsync().ConfigureAwait(false);
                    _connection = null;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the file and releases its lock.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (!_disposed)
            {
                _disposed = true;
                _connection?.Dispose();
                _connection = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
