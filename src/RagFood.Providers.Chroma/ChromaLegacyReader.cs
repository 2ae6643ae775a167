using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagFood.Core.VectorStores;
using RagFood.Providers.Chroma.Internal;

namespace RagFood.Providers.Chroma;

/// <summary>A collection found in a <c>chroma_db</c> directory.</summary>
/// <param name="Id">Chroma's collection id.</param>
/// <param name="Name">Collection name.</param>
/// <param name="Database">Database name (<c>default_database</c> for Python's PersistentClient).</param>
/// <param name="Tenant">Tenant (<c>default_tenant</c>).</param>
/// <param name="Dimension">Vector dimension recorded by Chroma (null when nothing was ever written).</param>
/// <param name="Space">Distance function: metadata <c>hnsw:space</c>, else the stored configuration, else l2.</param>
/// <param name="EmbeddingModel">The model recorded by RagFood in the collection metadata, if any.</param>
/// <param name="Count">Records in the collection's metadata segment.</param>
public sealed record ChromaLegacyCollection(string Id, string Name, string Database, string Tenant, int? Dimension, ChromaSpace Space, string? EmbeddingModel, long Count);

/// <summary>Reads a <c>chroma_db</c> directory (Chroma's persistent layout) without a server, for export and migration.</summary>
/// <remarks>
/// <para>Opens <c>chroma.sqlite3</c> read-only (<c>Mode=ReadOnly</c>); nothing is ever written, so it is safe on a copy
/// of production data and beside a running server. Ids, documents and metadata come from the collection's metadata
/// segment (tables <c>embeddings</c> and <c>embedding_metadata</c>; the document is the <c>chroma:document</c> key).
/// Metadata is restored as <see cref="ChromaVectorStore"/> writes it (JSON-encoded keys listed under <c>ragfood:json</c>).</para>
/// <para>Vectors live in the HNSW segment files beside the database (<c>data_level0.bin</c> and friends), whose id
/// mapping is a Python pickle or Rust-internal state; those are not parsed. Vectors are returned only when they are
/// still in Chroma's write-ahead log (table <c>embeddings_queue</c>, FLOAT32 blobs), which is cheap to read; otherwise
/// <see cref="VectorRecord.Vector"/> is null and a migration re-embeds from text. Tried on the layout written by
/// Chroma 1.0.0 (the npm server); Python chromadb 0.4-0.6 share this schema (same migrations table).</para>
/// </remarks>
public sealed class ChromaLegacyReader : IAsyncDisposable, IDisposable
{
    private const string DocumentKey = "chroma:document";
    private readonly SqliteConnection _connection;

    private ChromaLegacyReader(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens the <c>chroma.sqlite3</c> file in <paramref name="chromaDbDirectory"/> (or the file itself) read-only.</summary>
    /// <exception cref="FileNotFoundException">No <c>chroma.sqlite3</c> there.</exception>
    public static async Task<ChromaLegacyReader> OpenAsync(string chromaDbDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(chromaDbDirectory);
        var file = File.Exists(chromaDbDirectory) ? chromaDbDirectory : Path.Combine(chromaDbDirectory, "chroma.sqlite3");
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"No chroma.sqlite3 in '{chromaDbDirectory}'; is it a chroma_db directory?", file);
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(file), Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // A server may be writing: wait for its lock rather than failing at once.
            using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout = 5000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new ChromaLegacyReader(connection);
    }

    /// <summary>Lists the collections in the directory.</summary>
    public async Task<IReadOnlyList<ChromaLegacyCollection>> ListCollectionsAsync(CancellationToken cancellationToken = default)
    {
        var collections = new List<(string Id, string Name, string Database, string Tenant, int? Dimension, string? Config)>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = await HasColumnAsync("collections", "config_json_str", cancellationToken).ConfigureAwait(false)
                ? "SELECT c.id, c.name, d.name, d.tenant_id, c.dimension, c.config_json_str FROM collections c JOIN databases d ON d.id = c.database_id ORDER BY c.name"
                : "SELECT c.id, c.name, d.name, d.tenant_id, c.dimension, NULL FROM collections c JOIN databases d ON d.id = c.database_id ORDER BY c.name";
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                collections.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
            }
        }

        var result = new List<ChromaLegacyCollection>(collections.Count);
        foreach (var c in collections)
        {
            var metadata = await ReadCollectionMetadataAsync(c.Id, cancellationToken).ConfigureAwait(false);
            var space = SpaceOf(metadata, c.Config);
            var model = metadata.TryGetValue(ChromaVectorStore.EmbeddingModelKey, out var m) ? m as string : null;
            var count = await CountAsync(c.Id, cancellationToken).ConfigureAwait(false);
            result.Add(new ChromaLegacyCollection(c.Id, c.Name, c.Database, c.Tenant, c.Dimension, space, model, count));
        }

        return result;
    }

    /// <summary>Reads the metadata of a collection (its raw key/value pairs, e.g. <c>hnsw:space</c>).</summary>
    public async Task<IReadOnlyDictionary<string, object?>> ReadCollectionMetadataAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, str_value, int_value, float_value, bool_value FROM collection_metadata WHERE collection_id = $id";
        command.Parameters.AddWithValue("$id", collectionId);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result[reader.GetString(0)] = ReadValue(reader, 1);
        }

        return result;
    }

    /// <summary>Streams the records of a collection (by name) in the order they were first written.</summary>
    /// <param name="collectionName">The collection's name.</param>
    /// <param name="includeVectors">Also read vectors still held in the write-ahead log (see remarks of the type).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentException">No collection of that name.</exception>
    public async IAsyncEnumerable<VectorRecord> ReadRecordsAsync(string collectionName, bool includeVectors = true, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(collectionName);
        var collections = await ListCollectionsAsync(cancellationToken).ConfigureAwait(false);
        var collection = collections.FirstOrDefault(c => c.Name == collectionName)
            ?? throw new ArgumentException($"chroma_db has no collection '{collectionName}' (it has: {string.Join(", ", collections.Select(c => c.Name))}).", nameof(collectionName));
        var vectors = includeVectors ? await IndexLoggedVectorsAsync(collection.Id, cancellationToken).ConfigureAwait(false) : null;
        using var vectorLookup = vectors is null ? null : VectorLookup();

        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT e.id, e.embedding_id, m.key, m.string_value, m.int_value, m.float_value, m.bool_value
            FROM embeddings e
            JOIN segments s ON s.id = e.segment_id AND s.scope = 'METADATA'
            LEFT JOIN embedding_metadata m ON m.id = e.id
            WHERE s.collection = $collection
            ORDER BY e.id
            """;
        command.Parameters.AddWithValue("$collection", collection.Id);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        long currentRow = -1;
        string? currentId = null;
        string? document = null;
        var pairs = new List<KeyValuePair<string, object>>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = reader.GetInt64(0);
            if (row != currentRow)
            {
                if (currentId is not null)
                {
                    yield return await BuildAsync(currentId, document, pairs, vectors, vectorLookup, cancellationToken).ConfigureAwait(false);
                }

                currentRow = row;
                currentId = reader.GetString(1);
                document = null;
                pairs = [];
            }

            if (reader.IsDBNull(2))
            {
                continue;
            }

            var key = reader.GetString(2);
            var value = ReadValue(reader, 3);
            if (key == DocumentKey)
            {
                document = value as string;
            }
            else if (value is not null)
            {
                pairs.Add(new(key, value));
            }
        }

        if (currentId is not null)
        {
            yield return await BuildAsync(currentId, document, pairs, vectors, vectorLookup, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _connection.Dispose();

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static async Task<VectorRecord> BuildAsync(
        string id,
        string? document,
        List<KeyValuePair<string, object>> pairs,
        Dictionary<string, long>? vectors,
        SqliteCommand? vectorLookup,
        CancellationToken cancellationToken) =>
        new(id)
        {
            Text = string.IsNullOrEmpty(document) ? null : document,
            Metadata = pairs.Count == 0 ? null : ChromaMetadataCodec.Read(pairs),
            Vector = vectors is not null && vectorLookup is not null && vectors.TryGetValue(id, out var seq)
                ? await ReadLoggedVectorAsync(vectorLookup, seq, cancellationToken).ConfigureAwait(false)
                : null,
        };

    /// <summary>Where the newest FLOAT32 vector of each id sits in the collection's write-ahead log (its
    /// <c>seq_id</c>). Only the positions are held, not the vectors: a record's vector is read as the record is, so a
    /// large collection is streamed in bounded memory.</summary>
    private async Task<Dictionary<string, long>?> IndexLoggedVectorsAsync(string collectionId, CancellationToken cancellationToken)
    {
        if (!await HasTableAsync("embeddings_queue", cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        using var command = _connection.CreateCommand();
        // operation: 0 add, 1 update, 2 upsert, 3 delete. Rows are applied in seq_id order, so the last one wins; a row
        // without a FLOAT32 vector (an update of metadata only, another encoding) leaves the earlier vector in place.
        command.CommandText = """
            SELECT id, operation, seq_id,
                   CASE WHEN vector IS NOT NULL AND length(vector) > 0 AND length(vector) % 4 = 0
                             AND (encoding IS NULL OR upper(encoding) = 'FLOAT32') THEN 1 ELSE 0 END
            FROM embeddings_queue WHERE topic LIKE $topic ORDER BY seq_id
            """;
        command.Parameters.AddWithValue("$topic", "%/" + collectionId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetString(0);
            if (reader.GetInt64(1) == 3)
            {
                result.Remove(id);
            }
            else if (reader.GetInt64(3) == 1)
            {
                result[id] = reader.GetInt64(2);
            }
        }

        return result;
    }

    private SqliteCommand VectorLookup()
    {
        var command = _connection.CreateCommand();
        command.CommandText = "SELECT vector FROM embeddings_queue WHERE seq_id = $seq";
        command.Parameters.Add("$seq", SqliteType.Integer);
        return command;
    }

    private static async Task<float[]?> ReadLoggedVectorAsync(SqliteCommand lookup, long seq, CancellationToken cancellationToken)
    {
        lookup.Parameters["$seq"].Value = seq;
        if (await lookup.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not byte[] bytes)
        {
            return null;
        }

        var vector = new float[bytes.Length / 4];
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(vector);
        }
        else
        {
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4, 4));
            }
        }

        return vector;
    }

    private async Task<long> CountAsync(string collectionId, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM embeddings e JOIN segments s ON s.id = e.segment_id AND s.scope = 'METADATA' WHERE s.collection = $collection";
        command.Parameters.AddWithValue("$collection", collectionId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ChromaSpace SpaceOf(IReadOnlyDictionary<string, object?> metadata, string? configJson)
    {
        if (metadata.TryGetValue("hnsw:space", out var legacy) && ChromaSpaceParser.TryParse(legacy as string, out var fromMetadata))
        {
            return fromMetadata;
        }

        if (configJson is not null)
        {
            try
            {
                using var document = JsonDocument.Parse(configJson);
                foreach (var path in new[] { new[] { "vector_index", "hnsw", "space" }, new[] { "hnsw", "space" }, new[] { "hnsw_configuration", "space" } })
                {
                    var element = document.RootElement;
                    var found = true;
                    foreach (var step in path)
                    {
                        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(step, out element))
                        {
                            found = false;
                            break;
                        }
                    }

                    if (found && element.ValueKind == JsonValueKind.String && ChromaSpaceParser.TryParse(element.GetString(), out var configured))
                    {
                        return configured;
                    }
                }
            }
            catch (JsonException)
            {
                // An unreadable configuration leaves Chroma's default.
            }
        }

        return ChromaSpace.L2;
    }

    private static object? ReadValue(SqliteDataReader reader, int first)
    {
        if (!reader.IsDBNull(first))
        {
            return reader.GetString(first);
        }

        if (!reader.IsDBNull(first + 3))
        {
            return reader.GetInt64(first + 3) != 0;
        }

        if (!reader.IsDBNull(first + 1))
        {
            return reader.GetInt64(first + 1);
        }

        if (!reader.IsDBNull(first + 2))
        {
            return reader.GetDouble(first + 2);
        }

        return null;
    }

    private async Task<bool> HasTableAsync(string table, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    private async Task<bool> HasColumnAsync(string table, string column, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT 1 FROM pragma_table_info('{table}') WHERE name = $name";
        command.Parameters.AddWithValue("$name", column);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }
}
