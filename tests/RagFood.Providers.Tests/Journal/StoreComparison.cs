using System.Globalization;
using System.Text;
using RagFood.Core.VectorStores;

namespace RagFood.Providers.Tests.Journal;

internal static class StoreComparison
{
    /// <summary>Every namespace and record of a store (ids, text, metadata, vectors), in a canonical text form.</summary>
    public static async Task<string> DumpAsync(IVectorStore store)
    {
        var dump = new StringBuilder();
        foreach (var ns in (await store.ListNamespacesAsync()).Order(StringComparer.Ordinal))
        {
            var records = new List<VectorRecord>();
            var cursor = "";
            do
            {
                var page = await store.RangeAsync(new RangeRequest { Namespace = ns, Cursor = cursor, Limit = 100, Include = Include.All });
                records.AddRange(page.Records);
                cursor = page.NextCursor;
            }
            while (cursor.Length > 0);

            dump.Append(CultureInfo.InvariantCulture, $"[{ns}]\n");
            foreach (var record in records.OrderBy(r => r.Id, StringComparer.Ordinal))
            {
                var vector = record.Vector is null ? "-" : string.Join(',', record.Vector.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
                dump.Append(CultureInfo.InvariantCulture, $"{record.Id}|{record.Text}|{record.Metadata?.GetRawText()}|{vector}\n");
            }
        }

        return dump.ToString();
    }
}
