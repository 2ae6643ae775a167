using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Sqlite.Journal;

/// <summary>The durable outbox behind <see cref="WriteMode.Dual"/>: journaled writes in a SQLite file of their own.</summary>
/// <remarks>
/// <para><b>Durability.</b> The file runs in WAL mode with <c>synchronous=FULL</c>, so every append is fsynced
/// before <see cref="AppendAsync"/> returns: an entry acknowledged to the caller survives a killed process or a
/// power cut. Entries are deleted only by <see cref="MarkDoneAsync"/>, after the secondary applied them.</para>
/// <para><b>Order.</b> Sequence numbers come from an <c>AUTOINCREMENT</c> key, so they only grow, across restarts
/// and after the journal drains; pending entries are read lowest first.</para>
/// <para><b>Format.</b> One row per write: the operation and namespace as columns (for a human with the
/// <c>sqlite3</c> shell), and the whole write, records with text, vectors and metadata included, as the JSON of
/// <see cref="JournaledWrite.ToJson"/>. A row whose JSON no longer reads is parked with the reason rather than
/// blocking every later entry.</para>
/// <para><b>Ownership.</b> The file is locked exclusively by the one instance that opened it (a second opener fails
/// after <see cref="SqliteWriteJournalOptions.BusyTimeout"/>), since two replayers would race each other. Calls are
/// serialised over one connection; the file is opened on first use.</para>
/// </remarks>
public sealed partial class SqliteWriteJournal : IWriteJournal, IAsyncDisposable, IDisposable
{
    private const int SchemaVersion = 1;
    private const int StatePending = 0;
    private const int StateParked = 1;

    private readonly SqliteWriteJournalOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private bool _disposed;

    public SqliteWriteJournal(IOptions<SqliteWriteJournalOptions> options, ILogger<SqliteWriteJournal>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        var validation = new SqliteWriteJournalOptionsValidator().Validate(null, _options);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        _logger = logger ?? (ILogger)NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        DatabasePath = System.IO.Path.GetFullPath(_options.Path);
    }

    /// <summary>The absolute path of the journal file.</summary>
    public string DatabasePath { get; }

    public Task<long> AppendAsync(JournaledWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var payload = write.ToJson();
        return UseAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO journal_entries (journaled_at, operation, namespace, payload, state)
                VALUES ($at, $operation, $namespace, $payload, 0)
                RETURNING seq
                """;
            command.Parameters.AddWithValue("$at", _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$operation", write.Operation.ToString());
            command.Parameters.AddWithValue("$namespace", write.Namespace);
            command.Parameters.AddWithValue("$payload", payload);
            // Autocommit: the statement's commit is the fsync that makes the entry durable.
            return (long)command.ExecuteScalar()!;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<WriteJournalEntry>> ReadPendingAsync(int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        return UseAsync<IReadOnlyList<WriteJournalEntry>>(connection =>
        {
            var entries = new List<WriteJournalEntry>();
            var unreadable = new List<(long Sequence, string Reason)>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = """
                    SELECT seq, journaled_at, payload FROM journal_entries
                    WHERE state = 0 ORDER BY seq LIMIT $limit
                    """;
                command.Parameters.AddWithValue("$limit", maxCount);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var sequence = reader.GetInt64(0);
                    try
                    {
                        var at = DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
                        entries.Add(new WriteJournalEntry(sequence, JournaledWrite.FromJson(reader.GetString(2)), at));
                    }
                    catch (FormatException ex)
                    {
                        unreadable.Add((sequence, $"Unreadable journal entry: {ex.Message}"));
                    }
                }
            }

            foreach (var (sequence, reason) in unreadable)
            {
                Park(connection, sequence, reason);
                LogUnreadableParked(_logger, sequence, DatabasePath, reason);
            }

            return entries;
        }, cancellationToken);
    }

    public Task MarkDoneAsync(long sequence, CancellationToken cancellationToken = default)
        => UseAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM journal_entries WHERE seq = $seq";
            command.Parameters.AddWithValue("$seq", sequence);
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public Task ParkAsync(long sequence, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return UseAsync(connection => Park(connection, sequence, reason), cancellationToken);
    }

    public Task<WriteJournalCounts> GetCountsAsync(CancellationToken cancellationToken = default)
        => UseAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT state, COUNT(*) FROM journal_entries GROUP BY state";
            using var reader = command.ExecuteReader();
            long pending = 0, parked = 0;
            while (reader.Read())
            {
                switch (reader.GetInt32(0))
                {
                    case StatePending:
                        pending = reader.GetInt64(1);
                        break;
                    case StateParked:
                        parked = reader.GetInt64(1);
                        break;
                }
            }

            return new WriteJournalCounts(pending, parked);
        }, cancellationToken);

    /// <summary>Parked entries with their reasons, lowest sequence first, for an operator or a test to inspect.</summary>
    public Task<IReadOnlyList<(long Sequence, string Reason)>> ReadParkedAsync(CancellationToken cancellationToken = default)
        => UseAsync<IReadOnlyList<(long, string)>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT seq, parked_reason FROM journal_entries WHERE state = 1 ORDER BY seq";
            using var reader = command.ExecuteReader();
            var parked = new List<(long, string)>();
            while (reader.Read())
            {
                parked.Add((reader.GetInt64(0), reader.IsDBNull(1) ? "" : reader.GetString(1)));
            }

            return parked;
        }, cancellationToken);

    private int Park(SqliteConnection connection, long sequence, string reason)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE journal_entries SET state = 1, parked_reason = $reason, parked_at = $at
            WHERE seq = $seq AND state = 0
            """;
        command.Parameters.AddWithValue("$seq", sequence);
        command.Parameters.AddWithValue("$reason", reason);
        command.Parameters.AddWithValue("$at", _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return command.ExecuteNonQuery();
    }

    private async Task<T> UseAsync<T>(Func<SqliteConnection, T> action, CancellationToken cancellationToken)
    {
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

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Not pooled: disposing the journal must release the file (and its exclusive lock) at once.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds),
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            // busy_timeout first, so that a file held by another process waits before failing.
            // locking_mode=EXCLUSIVE before journal_mode=WAL keeps the WAL index in process memory; the lock itself
            // is taken by the first write below and held until the connection closes.
            command.CommandText = $"""
                PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds};
                PRAGMA locking_mode = EXCLUSIVE;
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                """;
            command.ExecuteNonQuery();

            command.CommandText = "PRAGMA user_version";
            var version = Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The journal '{DatabasePath}' has schema version {version}; this RagFood understands up to {SchemaVersion}.");
            }

            command.CommandText = $"""
                BEGIN IMMEDIATE;
                CREATE TABLE IF NOT EXISTS journal_entries (
                    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
                    journaled_at  TEXT NOT NULL,
                    operation     TEXT NOT NULL,
                    namespace     TEXT NOT NULL,
                    payload       TEXT NOT NULL,
                    state         INTEGER NOT NULL DEFAULT 0,
                    parked_reason TEXT,
                    parked_at     TEXT
                );
                CREATE INDEX IF NOT EXISTS journal_entries_by_state ON journal_entries (state, seq);
                PRAGMA user_version = {SchemaVersion};
                COMMIT;
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

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _connection?.Dispose();
            _connection = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(EventId = 2130, Level = LogLevel.Error, Message = "Journal entry #{Sequence} in {Path} could not be read and was parked: {Reason}")]
    private static partial void LogUnreadableParked(ILogger logger, long sequence, string path, string reason);
}
