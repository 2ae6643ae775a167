using RagFood.Server.Tests.Support;
using RagFood.Server.Transfer;
using RagFood.Transfer.Export;

namespace RagFood.Server.Tests.Transfer;

/// <summary>Backup:Interval / Directory / Keep: the primary is exported on a schedule and only the newest files are kept.</summary>
public sealed class ScheduledExportTests
{
    [Fact]
    public async Task Scheduled_exports_are_complete_files_and_only_the_newest_are_kept()
    {
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Backup:Interval"] = "00:00:01",
            ["Backup:Directory"] = "backups",
            ["Backup:Keep"] = "2",
        });
        await server.WaitForIngestionAsync();
        var directory = Path.Combine(server.Directory, "backups");

        // Wait for a third export (each has its own second in its name), then for pruning to leave two.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string[] files = [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (DateTime.UtcNow < deadline)
        {
            files = Directory.Exists(directory) ? Directory.GetFiles(directory, ScheduledExportService.FilePrefix + "*.jsonl.gz") : [];
            seen.UnionWith(files);
            if (seen.Count >= 3 && files.Length == 2)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.True(seen.Count >= 3, $"only {seen.Count} backups were written: {string.Join(", ", seen)}");
        Assert.Equal(2, files.Length);
        foreach (var file in files)
        {
            var description = await new ExportFileSource(file).DescribeAsync();
            Assert.Equal(TestCorpus.Count, description.Counts[""]);
        }
    }
}
