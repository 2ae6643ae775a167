using System.Globalization;
using Microsoft.Data.Sqlite;

namespace RagFood.Core.Durable;

/// <summary>Where a migration job stands in one namespace after its last acknowledged batch.</summary>
/// <param name="Job">The job's key (source, target, mode and options; the same plan has the same key).</param>
/// <param name="Namespace">The source namespace.</param>
/// <param name="Position">The source position after the last acknowledged batch (opaque to the store; "" = start).</param>
/// <param name="Completed">True when the namespace was copied to its end.</param>
/// <param name="Read">Records read so far.</param>
/// <param name="Written">Records acknowledged by the target so far.</param>
/// <param name="Skipped">Records left alone because the target already held them unchanged.</param>
/// <param name="Refused">Records that could not be copied (each reported with its reason while the run went).</param>
public sealed record MigrationCheckpoint(string Job, string Namespace, string Position, bool Completed, long Read, long Written, long Skipped, long Refused);

/// <summary>Durable progress of migration jobs, so a killed run resumes after its last acknowledged batch.</summary>
public interface IMigrationCheckpointStore
{
    /// <summary>The checkpoints of a job, one per namespace started; empty when the job never ran.</summary>
    Task<IReadOnlyList<MigrationCheckpoint>> LoadAsync(string job, CancellationToken cancellationToken = default);

    /// <summary>Stores a checkpoint durably (it survives a power cut once this returns).</summary>
    Task SaveAsync(MigrationCheckpoint checkpoint, CancellationToken cancellationToken = default);

    /// <summary>Forgets a job (a fresh run starts from the beginning).</summary>
    Task DeleteAsync(string job, CancellationToken cancellationToken = default);
}

/// <summary>Migration checkpoints in a SQLite side file (WAL, <c>synchronous=FULL</c>).</summary>
/// <remarks>One row per (job, namespace), replaced on every save inside one transaction, so a checkpoint is either the
/// old one or the new one after a crash, never a mix. The file is created on first use; its directory too.</remarks>
public sealed class SqliteMigrationCheckpointStore : IMigrationCheckpointStore, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;

    /// <summary>Uses (or creates) the checkpoint file at <paramref name="path"/>.</summary>
    public SqliteMigrationCheckpointStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    public async Task<IReadOnlyList<MigrationCheckpoint>> LoadAsync(string job, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(job);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT namespace, position, completed, read, written, skipped, refused FROM migration_checkpoints WHERE job = $job ORDER BY namespace";
            command.Parameters.AddWithValue("$job", job);
            var result = new List<MigrationCheckpoint>();
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                result.Add(new MigrationCheckpoint(job, reader.GetString(0), reader.GetString(1), reader.GetInt64(2) != 0,
                    reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)));
            }

            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SaveAsync(MigrationCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO migration_checkpoints (job, namespace, position, completed, read, written, skipped, refused, updated_utc)
                VALUES ($job, $ns, $position, $completed, $read, $written, $skipped, $refused, $updated)
                ON CONFLICT (job, namespace) DO UPDATE SET position = excluded.position, completed = excluded.completed,
                    read = excluded.read, written = excluded.written, skipped = excluded.skipped, refused = excluded.refused,
                    updated_utc = excluded.updated_utc
                """;
            command.Parameters.AddWithValue("$job", checkpoint.Job);
            command.Parameters.AddWithValue("$ns", checkpoint.Namespace);
            command.Parameters.AddWithValue("$position", checkpoint.Position);
            command.Parameters.AddWithValue("$completed", checkpoint.Completed ? 1 : 0);
            command.Parameters.AddWithValue("$read", checkpoint.Read);
            command.Parameters.AddWithValue("$written", checkpoint.Written);
            command.Parameters.AddWithValue("$skipped", checkpoint.Skipped);
            command.Parameters.AddWithValue("$refused", checkpoint.Refused);
            command.Parameters.AddWithValue("$updated", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            // Not cancellable once started: a checkpoint is written whole or not at all.
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task DeleteAsync(string job, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(job);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM migration_checkpoints WHERE job = $job";
            command.Parameters.AddWithValue("$job", job);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }

        _gate.Dispose();
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                PRAGMA busy_timeout = 5000;
                CREATE TABLE IF NOT EXISTS migration_checkpoints (
                    job TEXT NOT NULL, namespace TEXT NOT NULL, position TEXT NOT NULL, completed INTEGER NOT NULL,
                    read INTEGER NOT NULL, written INTEGER NOT NULL, skipped INTEGER NOT NULL, refused INTEGER NOT NULL,
                    updated_utc TEXT NOT NULL, PRIMARY KEY (job, namespace));
                """;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _connection = connection;
        return connection;
    }
}
