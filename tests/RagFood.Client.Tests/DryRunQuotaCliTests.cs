using RagFood.Client.Tests.Support;
using RagFood.Testing;

namespace RagFood.Client.Tests;

/// <summary><c>ragfood ingest --dry-run</c> and <c>ragfood migrate --dry-run</c> against a real server whose store has a
/// daily write quota of 2: each says whether the real run fits, exits 7 when it would not, and writes nothing.</summary>
public sealed class DryRunQuotaCliTests : IAsyncLifetime, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ragfood-cli-dry-run-").FullName;
    private ServerProcess _server = null!;

    private string Address => _server.Address.OriginalString;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(new Dictionary<string, string>
    {
        ["Ingestion__OnStart"] = "false",
        ["Ollama__Url"] = "",
        ["Usage__Plans__sqlite__DailyWriteLimit"] = "2",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Ingest_dry_run_says_whether_todays_write_quota_covers_the_batches_and_writes_nothing()
    {
        var corpus = Path.Combine(AppContext.BaseDirectory, "TestData", "foods.json");

        var tooMany = await CliRunner.RunAsync("ingest", corpus, "--dry-run", "--batch-size", "2", "--address", Address);
        var fits = await CliRunner.RunAsync("ingest", corpus, "--dry-run", "--address", Address);
        using var client = RagFoodClient.Create(Address);
        var info = await client.InfoAsync();

        Assert.True(tooMany.ExitCode == 7, tooMany.ToString());
        Assert.Contains("would be written, 0 unchanged, 0 rejected, in 5 Ingest call(s)", tooMany.Stdout, StringComparison.Ordinal);
        Assert.Contains("warning: sqlite would exceed today's remaining write quota: needs 5, 2 left (plan limit 2 a day", tooMany.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("resume", tooMany.Stdout, StringComparison.Ordinal); // an ingest does not pause and resume
        Assert.True(fits.ExitCode == 0, fits.ToString());
        Assert.Contains("quota sqlite: the run needs 1 reads, 1 writes; left today no quota on reads, 2 of 2 writes", fits.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", fits.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, info.VectorCount);
    }

    [Fact]
    public async Task Migrate_dry_run_prints_the_quota_line_and_exits_7_when_the_real_run_would_not_fit()
    {
        var file = Path.Combine(_directory, "three.jsonl");
        await File.WriteAllLinesAsync(file,
        [
            "{\"format\":\"ragfood-export\",\"version\":1,\"source\":\"hand\",\"space\":null,\"counts\":{\"\":3},\"createdAt\":\"2026-12-01T00:00:00Z\"}",
            "{\"ns\":\"\",\"id\":\"a\",\"text\":\"A lentil stew.\"}",
            "{\"ns\":\"\",\"id\":\"b\",\"text\":\"A rice dish with saffron.\"}",
            "{\"ns\":\"\",\"id\":\"c\",\"text\":\"A sweet rice cake.\"}",
            "{\"end\":true,\"counts\":{\"\":3}}",
        ]);

        var result = await CliRunner.RunAsync("migrate", "--from", file, "--to", "primary", "--dry-run", "--batch-size", "1", "--address", Address);

        Assert.True(result.ExitCode == 7, result.ToString());
        Assert.Contains("dry run", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("quota sqlite: the run needs", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 writes; left today", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("needs 3, 2 left (plan limit 2 a day", result.Stdout, StringComparison.Ordinal);
    }
}
