using System.Text.Json;
using RagFood.Client.Tests.Support;

namespace RagFood.Client.Tests;

/// <summary><c>ragfood export</c>, <c>verify</c>, <c>restore</c> and <c>stores verify</c> run as processes against the real
/// server: exit codes a script can rely on, JSON a script can parse.</summary>
[Collection(ServerCollection.Name)]
public sealed class TransferCliTests(ServerFixture server) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ragfood-cli-transfer-").FullName;

    private string Address => server.Address.OriginalString;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Export_then_verify_and_restore_from_the_file_exit_0_and_report_clean()
    {
        var file = Path.Combine(_directory, "backup.jsonl.gz");

        var export = await CliRunner.RunAsync("export", file, "--gzip", "--json", "--address", Address);
        var verify = await CliRunner.RunAsync("verify", "--from", file, "--to", "primary", "--mode", "vectors", "--json", "--address", Address);
        var restore = await CliRunner.RunAsync("restore", file, "--mode", "vectors", "--address", Address);

        Assert.True(export.ExitCode == 0, export.ToString());
        using (var summary = JsonDocument.Parse(export.Stdout))
        {
            Assert.Equal(ServerFixture.CorpusSize, int.Parse(summary.RootElement.GetProperty("written").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(summary.RootElement.GetProperty("verification").GetProperty("clean").GetBoolean());
        }

        Assert.True(verify.ExitCode == 0, verify.ToString());
        using (var report = JsonDocument.Parse(verify.Stdout))
        {
            Assert.True(report.RootElement.GetProperty("report").GetProperty("clean").GetBoolean());
        }

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains("skipped (unchanged)", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("verified clean", restore.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_exits_6_and_lists_the_differences_when_the_sides_differ()
    {
        var file = Path.Combine(_directory, "other.jsonl");
        await File.WriteAllLinesAsync(file,
        [
            "{\"format\":\"ragfood-export\",\"version\":1,\"source\":\"hand\",\"space\":null,\"counts\":{\"\":1},\"createdAt\":\"2026-12-01T00:00:00Z\"}",
            "{\"ns\":\"\",\"id\":\"not-in-the-store\",\"text\":\"A dish nobody stored.\"}",
            "{\"end\":true,\"counts\":{\"\":1}}",
        ]);

        var result = await CliRunner.RunAsync("verify", "--from", file, "--address", Address);

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains("differences", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("missing: not-in-the-store", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stores_verify_without_a_fallback_exits_2_naming_the_setting_and_restore_of_a_missing_file_exits_2()
    {
        var stores = await CliRunner.RunAsync("stores", "verify", "--address", Address);
        var restore = await CliRunner.RunAsync("restore", Path.Combine(_directory, "missing.jsonl"), "--address", Address);

        Assert.True(stores.ExitCode == 2, stores.ToString());
        Assert.Contains("VectorStore:Fallback", stores.Stderr, StringComparison.Ordinal);
        Assert.True(restore.ExitCode == 2, restore.ToString());
        Assert.Contains("does not exist", restore.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_transfer_command_has_help_with_its_exit_codes()
    {
        foreach (var command in new[] { "migrate", "verify", "export", "restore" })
        {
            var help = await CliRunner.RunAsync(command, "--help");

            Assert.True(help.ExitCode == 0, help.ToString());
            Assert.Contains("6 verification found differences", help.Stdout, StringComparison.Ordinal);
        }
    }
}
