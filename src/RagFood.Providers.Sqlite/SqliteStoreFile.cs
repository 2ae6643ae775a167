using Microsoft.Data.Sqlite;
using RagFood.Core.VectorStores;
using RagFood.Providers.Sqlite.Internal;

namespace RagFood.Providers.Sqlite;

/// <summary>Looks into a store file without opening it as a store.</summary>
public static class SqliteStoreFile
{
    /// <summary>The embedding space a store file records, or <c>null</c> when the file does not exist or records none
    /// yet (a store that was never written to).</summary>
    /// <remarks>Opens the file read-only and shared; a composition root uses it to keep an existing store in its space.</remarks>
    /// <exception cref="SqliteException">The file exists but cannot be read (locked by another process, not SQLite).</exception>
    public static EmbeddingSpace? ReadRecordedSpace(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return null;
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value FROM meta WHERE key IN ($model, $dimension)";
        command.Parameters.AddWithValue("$model", SqliteSchema.MetaEmbeddingModel);
        command.Parameters.AddWithValue("$dimension", SqliteSchema.MetaDimension);
        string? model = null;
        int? dimension = null;
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (reader.GetString(0) == SqliteSchema.MetaEmbeddingModel)
                {
                    model = reader.GetString(1);
                }
                else if (int.TryParse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture, out var d))
                {
                    dimension = d;
                }
            }
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 1 && ex.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return null;
        }

        return model is not null && dimension is > 0 ? new EmbeddingSpace(model, dimension.Value) : null;
    }
}
