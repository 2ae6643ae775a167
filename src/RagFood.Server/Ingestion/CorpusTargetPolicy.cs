using System.Globalization;
using Microsoft.Extensions.Options;
using RagFood.Core.Durable;
using RagFood.Core.VectorStores;
using RagFood.Server.Composition;

namespace RagFood.Server.Ingestion;

/// <summary>Decides whether the start-up ingestion may write the shipped corpus: never into a store the user brought.</summary>
/// <remarks>
/// Allowed when <c>Ingestion:IntoExistingStores</c> is true (asked explicitly), when the primary is the embedded SQLite
/// default, or when every store the write reaches (the primary, and the fallback with <c>WriteMode = Dual</c>) either
/// holds no record in the namespace or holds a marker saying RagFood created that namespace from the corpus. The
/// marker is recorded (in the durable side file, component <c>corpus-markers</c>) before the first write into an
/// empty namespace, so a later start keeps updating what RagFood created and nothing else.
/// </remarks>
internal sealed class CorpusTargetPolicy(IStoreComposition composition, IServiceProvider services, DurableSideFile sideFile, IOptions<IngestionOptions> options, TimeProvider time)
{
    private const string Component = "corpus-markers";

    /// <returns><c>null</c> when the corpus may be written, else why not.</returns>
    public async Task<string?> RefusalAsync(string @namespace, CancellationToken cancellationToken)
    {
        var topology = composition.Current.Topology;
        if (options.Value.IntoExistingStores || topology.PrimaryName == "sqlite")
        {
            return null;
        }

        var targets = topology.WriteMode == WriteMode.Dual && topology.FallbackName.Length > 0
            ? new[] { topology.PrimaryName, topology.FallbackName }
            : [topology.PrimaryName];
        var toMark = new List<string>();
        foreach (var name in targets)
        {
            if (name == "sqlite" || await HasMarkerAsync(name, @namespace, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var info = await services.GetRequiredKeyedService<IVectorStore>(name).GetInfoAsync(cancellationToken).ConfigureAwait(false);
            if (info.Namespaces.GetValueOrDefault(@namespace) > 0)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"store '{name}' already holds {info.Namespaces[@namespace]} records in namespace '{@namespace}' that RagFood did not create from the corpus; set Ingestion:IntoExistingStores=true to write the corpus there anyway");
            }

            toMark.Add(name);
        }

        foreach (var name in toMark)
        {
            await MarkAsync(name, @namespace, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private async Task<bool> HasMarkerAsync(string store, string @namespace, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await sideFile.UseAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1 FROM corpus_markers WHERE store = $s AND namespace = $n";
            command.Parameters.AddWithValue("$s", store);
            command.Parameters.AddWithValue("$n", @namespace);
            return command.ExecuteScalar() is not null;
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task MarkAsync(string store, string @namespace, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await sideFile.UseAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT OR IGNORE INTO corpus_markers (store, namespace, created_at) VALUES ($s, $n, $t)";
            command.Parameters.AddWithValue("$s", store);
            command.Parameters.AddWithValue("$n", @namespace);
            command.Parameters.AddWithValue("$t", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            return command.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }

    private Task EnsureSchemaAsync(CancellationToken cancellationToken)
        => sideFile.EnsureSchemaAsync(Component, 1, static (connection, _) =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE IF NOT EXISTS corpus_markers (store TEXT NOT NULL, namespace TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (store, namespace))";
            command.ExecuteNonQuery();
        }, cancellationToken);
}
