using System.Globalization;
using Microsoft.Data.Sqlite;

namespace RagFood.Core.Durable;

/// <summary>One persisted usage counter: calls and records for one store, operation and UTC day.</summary>
public sealed record UsageCount(DateOnly Day, string Store, string Operation, long Calls, long Units);

/// <summary>The usage counters' side file: a SQLite database (WAL, <c>synchronous=FULL</c>) holding one row per UTC day,
/// store and operation.</summary>
/// <remarks>
/// <para>Writes add deltas (<c>calls = calls + excluded.calls</c>) inside one transaction, so concurrent processes on
/// one file add up rather than overwrite each other, and a batch is either all in or not at all.</para>
/// <para>Each method opens its own pooled connection; the type is safe to use from several threads.</para>
/// </remarks>
public sealed class SqliteUsageCounters
{
    private readonly string _connectionString;
    private readonly string _path;

    /// <param name="path">The database file; its directory is created when missing.</param>
    public SqliteUsageCounters(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string FilePath => _path;

    /// <summary>Creates the file and its table when missing.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS usage_counters (
                day TEXT NOT NULL,
                store TEXT NOT NULL,
                operation TEXT NOT NULL,
                calls INTEGER NOT NULL,
                units INTEGER NOT NULL,
                PRIMARY KEY (day, store, operation)
            ) WITHOUT ROWID;
            """;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds <paramref name="deltas"/> to the stored counters in one durable transaction.</summary>
    public async Task AddAsync(IReadOnlyCollection<UsageCount> deltas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        if (deltas.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO usage_counters (day, store, operation, calls, units) VALUES ($day, $store, $operation, $calls, $units)
            ON CONFLICT (day, store, operation) DO UPDATE SET calls = calls + excluded.calls, units = units + excluded.units;
            """;
        var day = command.Parameters.Add("$day", SqliteType.Text);
        var store = command.Parameters.Add("$store", SqliteType.Text);
        var operation = command.Parameters.Add("$operation", SqliteType.Text);
        var calls = command.Parameters.Add("$calls", SqliteType.Integer);
        var units = command.Parameters.Add("$units", SqliteType.Integer);
        foreach (var delta in deltas)
        {
            day.Value = Format(delta.Day);
            store.Value = delta.Store;
            operation.Value = delta.Operation;
            calls.Value = delta.Calls;
            units.Value = delta.Units;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every counter from <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    public async Task<IReadOnlyList<UsageCount>> ReadAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT day, store, operation, calls, units FROM usage_counters WHERE day >= $from AND day <= $to ORDER BY day, store, operation";
        command.Parameters.AddWithValue("$from", Format(from));
        command.Parameters.AddWithValue("$to", Format(to));
        var result = new List<UsageCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new UsageCount(
                DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt64(3),
                reader.GetInt64(4)));
        }

        return result;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragma = connection.CreateCommand();
            // Per connection: an acknowledged flush survives power loss, not only a process crash.
            pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
