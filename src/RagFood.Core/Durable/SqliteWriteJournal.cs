using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Durable;

/// <summary>The durable outbox behind <see cref="WriteMode.Dual"/>: the writes one target store has yet to apply, as
/// rows of a <see cref="DurableSideFile"/>.</summary>
/// <remarks>
/// <para><b>Durability.</b> Appends are group-committed (<see cref="DurableSideFile.CommitAsync{T}"/>): concurrent
/// appends, for any target of the file, share one transaction on a WAL file with <c>synchronous=FULL</c>, and each
/// <see cref="AppendAsync"/> returns only after that transaction's commit, so every acknowledged entry is fsynced. Entries are deleted only by <see cref="MarkDoneAsync"/>, after
/// the target applied them.</para>
/// <para><b>Targets.</b> The journals of several target stores share one file (one table, a <c>target</c> column), so
/// one file holds what is queued for the primary and what is queued for the fallback.</para>
/// <para><b>Order.</b> Sequence numbers come from an <c>AUTOINCREMENT</c> key shared by all targets, so they only grow,
/// across restarts and after the journal drains; pending entries are read lowest first.</para>
/// <para><b>Format.</b> One row per write: operation, namespace and target as columns (for a human with the
/// <c>sqlite3</c> shell), and the whole write as the JSON of <see cref="JournaledWrite.ToJson"/>. A row whose JSON no
/// longer reads is parked with the reason rather than blocking every later entry.</para>
/// </remarks>
public sealed partial class SqliteWriteJournal : IWriteJournal, IAsyncDisposable, IDisposable
{
    private const string Component = "journal";
    private const int SchemaVersion = 2;

    private readonly DurableSideFile _file;
    private readonly bool _ownsFile;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private Task? _schema;

    /// <summary>A journal that owns its own file (a single target, <see cref="SqliteWriteJournalOptions.Target"/>).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SqliteWriteJournal(IOptions<SqliteWriteJournalOptions> options, ILogger<SqliteWriteJournal>? logger = null, TimeProvider? timeProvider = null)
        : this(new DurableSideFile((options ?? throw new ArgumentNullException(nameof(options))).Value), options.Value.Target, logger, timeProvider)
        => _ownsFile = true;

    /// <summary>A journal for <paramref name="target"/> in a shared side file (the file stays the caller's).</summary>
    public SqliteWriteJournal(DurableSideFile file, string target, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(target);
        _file = file;
        Target = target;
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The absolute path of the journal file.</summary>
    public string DatabasePath => _file.DatabasePath;

    /// <summary>The store whose pending writes this journal holds.</summary>
    public string Target { get; }

    public async Task<long> AppendAsync(JournaledWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var payload = write.ToJson();
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await _file.CommitAsync(command =>
        {
            command.CommandText = """
                INSERT INTO journal_entries (journaled_at, operation, namespace, payload, state, target)
                VALUES ($at, $operation, $namespace, $payload, 0, $target)
                RETURNING seq
                """;
            command.Parameters.AddWithValue("$at", Now());
            command.Parameters.AddWithValue("$operation", write.Operation.ToString());
            command.Parameters.AddWithValue("$namespace", write.Namespace);
            command.Parameters.AddWithValue("$payload", payload);
            command.Parameters.AddWithValue("$target", Target);
            // Inside the group commit's transaction: AppendAsync returns after its commit, the fsync that makes the
            // entry (and every other append of the batch) durable.
            return (long)command.ExecuteScalar()!;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WriteJournalEntry>> ReadPendingAsync(int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await _file.UseAsync<IReadOnlyList<WriteJournalEntry>>(connection =>
        {
            var entries = new List<WriteJournalEntry>();
            var unreadable = new List<(long Sequence, string Reason)>();
            using (var command = Command(connection, "SELECT seq, journaled_at, payload FROM journal_entries WHERE target = $target AND state = 0 ORDER BY seq LIMIT $limit"))
            {
                command.Parameters.AddWithValue("$limit", maxCount);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var sequence = reader.GetInt64(0);
                    try
                    {
                        entries.Add(new WriteJournalEntry(sequence, JournaledWrite.FromJson(reader.GetString(2)), ParseTime(reader.GetString(1))));
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
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task MarkDoneAsync(long sequence, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await _file.UseAsync(connection =>
        {
            using var command = Command(connection, "DELETE FROM journal_entries WHERE seq = $seq AND target = $target");
            command.Parameters.AddWithValue("$seq", sequence);
            return command.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task ParkAsync(long sequence, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await _file.UseAsync(connection => Park(connection, sequence, reason), cancellationToken).ConfigureAwait(false);
    }

    public async Task<WriteJournalCounts> GetCountsAsync(CancellationToken cancellationToken = default)
        => (await GetBacklogAsync(0, cancellationToken).ConfigureAwait(false)).Counts;

    public async Task<JournalBacklog> GetBacklogAsync(int maxParked, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxParked);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await _file.UseAsync(connection =>
        {
            long pending = 0, parked = 0;
            DateTimeOffset? oldest = null;
            using (var command = Command(connection, "SELECT state, COUNT(*), MIN(journaled_at) FROM journal_entries WHERE target = $target GROUP BY state"))
            {
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    if (reader.GetInt32(0) == 0)
                    {
                        pending = reader.GetInt64(1);
                        oldest = ParseTime(reader.GetString(2));
                    }
                    else
                    {
                        parked = reader.GetInt64(1);
                    }
                }
            }

            var parkedEntries = new List<ParkedJournalEntry>();
            if (maxParked > 0 && parked > 0)
            {
                using var command = Command(connection, "SELECT seq, operation, namespace, parked_reason, parked_at FROM journal_entries WHERE target = $target AND state = 1 ORDER BY seq LIMIT $limit");
                command.Parameters.AddWithValue("$limit", maxParked);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    parkedEntries.Add(new ParkedJournalEntry(
                        reader.GetInt64(0),
                        reader.GetString(1),
                        reader.GetString(2),
                        reader.IsDBNull(3) ? "" : reader.GetString(3),
                        reader.IsDBNull(4) ? null : ParseTime(reader.GetString(4))));
                }
            }

            return new JournalBacklog(new WriteJournalCounts(pending, parked), oldest, parkedEntries);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parked entries with their reasons, lowest sequence first, for an operator or a test to inspect.</summary>
    public async Task<IReadOnlyList<(long Sequence, string Reason)>> ReadParkedAsync(CancellationToken cancellationToken = default)
        => [.. (await GetBacklogAsync(int.MaxValue, cancellationToken).ConfigureAwait(false)).ParkedEntries.Select(p => (p.Sequence, p.Reason))];

    private SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$target", Target);
        return command;
    }

    private int Park(SqliteConnection connection, long sequence, string reason)
    {
        using var command = Command(connection, "UPDATE journal_entries SET state = 1, parked_reason = $reason, parked_at = $at WHERE seq = $seq AND target = $target AND state = 0");
        command.Parameters.AddWithValue("$seq", sequence);
        command.Parameters.AddWithValue("$reason", reason);
        command.Parameters.AddWithValue("$at", Now());
        return command.ExecuteNonQuery();
    }

    private string Now() => _timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        // Once per instance; a failed attempt (file locked by another process) is tried again by the next call.
        var schema = Volatile.Read(ref _schema);
        if (schema is null || schema.IsFaulted || schema.IsCanceled)
        {
            schema = _file.EnsureSchemaAsync(Component, SchemaVersion, Migrate, cancellationToken);
            Volatile.Write(ref _schema, schema);
        }

        return schema;
    }

    private static void Migrate(SqliteConnection connection, int from)
    {
        using var command = connection.CreateCommand();
        // A version-1 journal (RagFood before the side-file module) kept its version in user_version and had one
        // target; its rows keep target '' and are read by the single-target journal.
        command.CommandText = "PRAGMA user_version";
        var legacy = from == 0 && Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
        command.CommandText = legacy
            ? "ALTER TABLE journal_entries ADD COLUMN target TEXT NOT NULL DEFAULT ''; PRAGMA user_version = 0;"
            : """
              CREATE TABLE IF NOT EXISTS journal_entries (
                  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
                  journaled_at  TEXT NOT NULL,
                  operation     TEXT NOT NULL,
                  namespace     TEXT NOT NULL,
                  payload       TEXT NOT NULL,
                  state         INTEGER NOT NULL DEFAULT 0,
                  parked_reason TEXT,
                  parked_at     TEXT,
                  target        TEXT NOT NULL DEFAULT ''
              );
              """;
        command.ExecuteNonQuery();
        command.CommandText = """
            DROP INDEX IF EXISTS journal_entries_by_state;
            CREATE INDEX IF NOT EXISTS journal_entries_by_target ON journal_entries (target, state, seq);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>Closes the file when this journal owns it.</summary>
    public ValueTask DisposeAsync() => _ownsFile ? _file.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>Closes the file when this journal owns it.</summary>
    public void Dispose()
    {
        if (_ownsFile)
        {
            _file.Dispose();
        }
    }

    [LoggerMessage(EventId = 2130, Level = LogLevel.Error, Message = "Journal entry #{Sequence} in {Path} could not be read and was parked: {Reason}")]
    private static partial void LogUnreadableParked(ILogger logger, long sequence, string path, string reason);
}

/// <summary>Journals of every target store in one <see cref="DurableSideFile"/>.</summary>
public sealed class SqliteWriteJournalFactory(DurableSideFile file, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null) : IWriteJournalFactory
{
    private readonly Dictionary<string, SqliteWriteJournal> _journals = new(StringComparer.Ordinal);

    /// <summary>Gives entries without a target (written by a version-1 journal, which had one target: the fallback)
    /// to <paramref name="targetStore"/>, so they replay.</summary>
    /// <returns>How many entries were adopted.</returns>
    public async Task<int> AdoptUntargetedAsync(string targetStore, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetStore);
        var journal = (SqliteWriteJournal)For(targetStore);
        await journal.GetCountsAsync(cancellationToken).ConfigureAwait(false);
        return await file.UseAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE journal_entries SET target = $target WHERE target = ''";
            command.Parameters.AddWithValue("$target", targetStore);
            return command.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public IWriteJournal For(string targetStore)
    {
        ArgumentNullException.ThrowIfNull(targetStore);
        lock (_journals)
        {
            if (!_journals.TryGetValue(targetStore, out var journal))
            {
                journal = new SqliteWriteJournal(file, targetStore, loggerFactory?.CreateLogger<SqliteWriteJournal>(), timeProvider);
                _journals.Add(targetStore, journal);
            }

            return journal;
        }
    }
}
