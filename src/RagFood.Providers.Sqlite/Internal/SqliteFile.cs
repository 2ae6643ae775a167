using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Providers.Sqlite.Internal;

/// <summary>The SQL of the embedded store: opening the file, its schema and metadata, namespace rows, reading a
/// namespace, and SQLite error translation. <see cref="SqliteVectorStore"/> holds the state and the contract.</summary>
internal static class SqliteFile
{
    /// <summary>Opens (creating if needed) the file with one unpooled connection, exclusive locking, WAL and
    /// <c>synchronous=FULL</c> (see <see cref="SqliteVectorStore"/>'s remarks).</summary>
    public static SqliteConnection Open(string path, TimeSpan busyTimeout)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // A pooled connection would keep the file (and its exclusive lock) open after Dispose.
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString());
        try
        {
            connection.Open();
            using (var pragmas = connection.CreateCommand())
            {
                // Exclusive before WAL: the WAL index then lives in process memory and no other process can open
                // the file behind this store's in-memory snapshot. FULL: see the class remarks.
                pragmas.CommandText = "PRAGMA locking_mode = EXCLUSIVE;";
                pragmas.ExecuteNonQuery();
                pragmas.CommandText = "PRAGMA journal_mode = WAL;";
                var mode = pragmas.ExecuteScalar() as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new VectorStoreException(SqliteVectorStore.ProviderName, VectorStoreErrorKind.FailedPrecondition,
                        $"{path} could not be switched to WAL journaling (got '{mode}').");
                }

                pragmas.CommandText = "PRAGMA synchronous = FULL;";
                pragmas.ExecuteNonQuery();
            }

            return connection;
        }
        catch
        {
            // Never leave the file open (and exclusively locked) behind a failed open.
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Creates the tables on a new file and records its embedding space, or checks an existing file's schema
    /// version, similarity and space against the configured generator.</summary>
    public static (EmbeddingSpace Space, bool Created) InitialiseSchema(SqliteConnection connection, EmbeddingSpace configured, string path)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteSchema.CreateTables;
        command.ExecuteNonQuery();

        command.CommandText = "SELECT key, value FROM meta";
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                meta[reader.GetString(0)] = reader.GetString(1);
            }
        }

        if (meta.Count == 0)
        {
            command.CommandText = "INSERT INTO meta (key, value) VALUES ($k1, $v1), ($k2, $v2), ($k3, $v3), ($k4, $v4), ($k5, $v5)";
            command.Parameters.AddWithValue("$k1", SqliteSchema.MetaSchemaVersion);
            command.Parameters.AddWithValue("$v1", SqliteSchema.Version.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$k2", SqliteSchema.MetaEmbeddingModel);
            command.Parameters.AddWithValue("$v2", configured.Model);
            command.Parameters.AddWithValue("$k3", SqliteSchema.MetaDimension);
            command.Parameters.AddWithValue("$v3", configured.Dimension.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$k4", SqliteSchema.MetaSimilarity);
            command.Parameters.AddWithValue("$v4", SqliteSchema.Similarity);
            command.Parameters.AddWithValue("$k5", SqliteSchema.MetaCreatedAt);
            command.Parameters.AddWithValue("$v5", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
            transaction.Commit();
            return (configured, true);
        }

        var version = meta.GetValueOrDefault(SqliteSchema.MetaSchemaVersion);
        if (version != SqliteSchema.Version.ToString(CultureInfo.InvariantCulture))
        {
            throw new VectorStoreException(SqliteVectorStore.ProviderName, VectorStoreErrorKind.FailedPrecondition,
                $"{path} has schema version '{version}'; this build reads version {SqliteSchema.Version}.");
        }

        if (meta.GetValueOrDefault(SqliteSchema.MetaSimilarity) != SqliteSchema.Similarity)
        {
            throw new VectorStoreException(SqliteVectorStore.ProviderName, VectorStoreErrorKind.FailedPrecondition,
                $"{path} uses similarity '{meta.GetValueOrDefault(SqliteSchema.MetaSimilarity)}'; this store only serves {SqliteSchema.Similarity}.");
        }

        var stored = new EmbeddingSpace(
            meta.GetValueOrDefault(SqliteSchema.MetaEmbeddingModel) ?? "unknown",
            int.TryParse(meta.GetValueOrDefault(SqliteSchema.MetaDimension), NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : 0);
        if (!EmbeddingSpaceRule.AreSame(stored, configured))
        {
            throw new EmbeddingSpaceMismatchException(SqliteVectorStore.ProviderName, stored, configured,
                $"{path} was written with {stored}, but the configured embedding generator is {configured}. "
                + "Configure the generator the file was written with, or point VectorStore:Sqlite:Path at a new file and ingest again.");
        }

        transaction.Commit();
        return (stored, false);
    }

    /// <summary>Every namespace with its record count and next sequence (indexes are loaded on first use).</summary>
    public static ImmutableSortedDictionary<string, NamespaceState> ReadNamespaces(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT n.name, n.next_seq, (SELECT COUNT(*) FROM records r WHERE r.namespace = n.name)
            FROM namespaces n
            """;
        using var reader = command.ExecuteReader();
        var namespaces = ImmutableSortedDictionary.CreateBuilder<string, NamespaceState>(StringComparer.Ordinal);
        while (reader.Read())
        {
            namespaces[reader.GetString(0)] = new NamespaceState(reader.GetInt64(2), reader.GetInt64(1), null);
        }

        return namespaces.ToImmutable();
    }

    /// <summary>Reads a namespace's records in insertion order into <paramref name="builder"/>.</summary>
    public static void ReadNamespace(SqliteConnection connection, string ns, int dimension, NamespaceIndex.Builder builder, string path)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, seq, text, metadata, vector FROM records WHERE namespace = $ns ORDER BY seq";
            command.Parameters.AddWithValue("$ns", ns);
            using var reader = command.ExecuteReader();
            var buffer = new byte[dimension * sizeof(float)];
            var row = new float[dimension];
            while (reader.Read())
            {
                var id = reader.GetString(0);
                var length = reader.GetBytes(4, 0, null, 0, 0);
                if (length != buffer.Length)
                {
                    throw new VectorStoreException(SqliteVectorStore.ProviderName, VectorStoreErrorKind.Internal,
                        $"Record '{id}' in namespace '{ns}' of {path} has a vector of {length} bytes; expected {buffer.Length}. The file is damaged.");
                }

                reader.GetBytes(4, 0, buffer, 0, buffer.Length);
                JsonElement? metadata = reader.IsDBNull(3) ? null : ParseMetadata(reader.GetString(3));
                var record = new IndexedRecord(id, reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), metadata);
                VectorCodec.FromBlob(buffer, row);
                builder.AppendLoaded(record, row);
            }
        }
    }

    /// <summary>Inserts or replaces the prepared records in one namespace (inside the caller's transaction), mirroring
    /// each into the index <paramref name="builder"/>.</summary>
    public static void UpsertRecords(SqliteConnection connection, SqliteTransaction transaction, string ns, IReadOnlyList<PreparedRecord> prepared, NamespaceIndex.Builder builder)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO records (namespace, id, seq, text, metadata, content_hash, vector)
            VALUES ($ns, $id, $seq, $text, $metadata, $hash, $vector)
            ON CONFLICT (namespace, id) DO UPDATE SET
                text = excluded.text, metadata = excluded.metadata,
                content_hash = excluded.content_hash, vector = excluded.vector
            """;
        var pNs = insert.Parameters.Add("$ns", SqliteType.Text);
        var pId = insert.Parameters.Add("$id", SqliteType.Text);
        var pSeq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var pText = insert.Parameters.Add("$text", SqliteType.Text);
        var pMetadata = insert.Parameters.Add("$metadata", SqliteType.Text);
        var pHash = insert.Parameters.Add("$hash", SqliteType.Text);
        var pVector = insert.Parameters.Add("$vector", SqliteType.Blob);
        pNs.Value = ns;
        foreach (var record in prepared)
        {
            pId.Value = record.Id;
            pSeq.Value = builder.SequenceFor(record.Id);
            pText.Value = (object?)record.Text ?? DBNull.Value;
            pMetadata.Value = (object?)record.MetadataJson ?? DBNull.Value;
            pHash.Value = RecordContentHash.Compute(record.Text, record.Metadata, record.HasOwnVector);
            pVector.Value = VectorCodec.ToBlob(record.UnitVector);
            insert.ExecuteNonQuery();
            builder.Upsert(record.Id, record.Text, record.Metadata, record.UnitVector);
        }
    }

    /// <summary>Deletes records by id in one namespace (inside the caller's transaction), mirroring each removal.</summary>
    public static void DeleteRecords(SqliteConnection connection, SqliteTransaction transaction, string ns, IReadOnlyList<string> ids, NamespaceIndex.Builder builder)
    {
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM records WHERE namespace = $ns AND id = $id";
        delete.Parameters.Add("$ns", SqliteType.Text).Value = ns;
        var pId = delete.Parameters.Add("$id", SqliteType.Text);
        foreach (var id in ids)
        {
            pId.Value = id;
            delete.ExecuteNonQuery();
            builder.Remove(id);
        }
    }

    /// <summary>Records the namespace's next insertion sequence (creating the namespace row if needed).</summary>
    public static void SetNextSequence(SqliteConnection connection, SqliteTransaction transaction, string ns, long nextSequence)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO namespaces (name, next_seq) VALUES ($ns, $next)
            ON CONFLICT (name) DO UPDATE SET next_seq = excluded.next_seq
            """;
        command.Parameters.AddWithValue("$ns", ns);
        command.Parameters.AddWithValue("$next", nextSequence);
        command.ExecuteNonQuery();
    }

    /// <summary>Stored metadata JSON as an element that owns its memory.</summary>
    public static JsonElement ParseMetadata(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>A SQLite failure as a typed store failure (locked or unreadable file: Unavailable; full disk:
    /// ResourceExhausted; damaged file: Internal).</summary>
    public static VectorStoreException Translate(string operation, SqliteException ex, string path, ILogger logger)
    {
        SqliteLog.OperationFailed(logger, operation, ex.SqliteErrorCode, ex);
        var (kind, what) = (ex.SqliteErrorCode & 0xFF) switch
        {
            5 or 6 => (VectorStoreErrorKind.Unavailable, "the database file is locked (is another process using it?)"),
            13 => (VectorStoreErrorKind.ResourceExhausted, "the disk is full"),
            3 or 8 or 10 or 14 => (VectorStoreErrorKind.Unavailable, "the database file cannot be read or written"),
            11 or 26 => (VectorStoreErrorKind.Internal, "the database file is damaged or not a SQLite database"),
            _ => (VectorStoreErrorKind.Internal, "SQLite reported an error"),
        };
        return new VectorStoreException(SqliteVectorStore.ProviderName, kind, $"SQLite store {operation} failed on {path}: {what} ({ex.Message}).", ex);
    }
}
