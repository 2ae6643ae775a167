using System.IO.Compression;
using System.Text;
using RagFood.Core.Durable;
using RagFood.Transfer.Export;
using RagFood.Transfer.Sinks;
using RagFood.Transfer.Sources;
using RagFood.Transfer.Tests.Support;
using RagFood.Transfer.Verification;
using RagFood.UpstashEmulator;

namespace RagFood.Transfer.Tests;

/// <summary>Export → restore → verify into each store, and export files that must be refused whole.</summary>
[Collection(ChromaCollection.Name)]
public sealed class ExportRestoreTests(ChromaFixture chroma) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_sqlite_store_with_two_namespaces_round_trips_through_an_export_into_a_fresh_sqlite_store(bool gzip)
    {
        await using var source = TestStores.Sqlite(_directory.File("source.db"));
        await TestStores.FillAsync(source.Store, TestStores.Foods(70));
        await TestStores.FillAsync(source.Store, TestStores.Foods(15, "other-"), "archive");
        var file = _directory.File(gzip ? "backup.jsonl.gz" : "backup.jsonl");
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));
        var engine = new MigrationEngine(checkpoints);

        var exported = await MigrationEngineTests.RunAsync(engine, new MigrationPlan(new StoreRecordSource(source.Store), new ExportFileSink(file, gzip)) { Mode = TransferMode.Auto, BatchSize = 500, SkipUnchanged = false });
        await using var restored = TestStores.Sqlite(_directory.File("restored.db"));
        var restore = await MigrationEngineTests.RunAsync(engine, new MigrationPlan(new ExportFileSource(file), new StoreRecordSink(restored.Store, 1000)) { Mode = TransferMode.Vectors });
        var report = await new StoreVerifier().VerifyAsync(new StoreRecordSource(source.Store), new StoreRecordSource(restored.Store), new VerifyOptions { Mode = TransferMode.Vectors });
        var fileReport = await new StoreVerifier().VerifyAsync(new StoreRecordSource(source.Store), new ExportFileSource(file), new VerifyOptions { Mode = TransferMode.Vectors });

        Assert.Equal(TransferMode.Vectors, exported.Mode);
        Assert.Equal(85, exported.Written);
        Assert.Equal(85, restore.Written);
        Assert.True(report.Clean, report.ToJson());
        Assert.True(fileReport.Clean, fileReport.ToJson());
        Assert.Equal(["", "archive"], report.Namespaces.Select(n => n.Namespace));
        Assert.Equal(gzip, IsGzip(file));
        Assert.False(File.Exists(file + ".partial"));
        var header = (await ReadLinesAsync(file))[0];
        Assert.Contains("\"format\":\"ragfood-export\"", header);
        Assert.Contains("\"counts\":{\"\":70,\"archive\":15}", header);
        Assert.Contains(TestStores.Embedder.ModelId, header);
    }

    [Fact]
    public async Task A_chroma_export_restores_into_the_emulator_in_text_mode_and_into_chroma_in_vectors_mode()
    {
        await using var source = TestStores.Chroma(chroma.Server.Url, ChromaFixture.UniqueCollection("export"));
        await TestStores.FillAsync(source.Store, TestStores.Foods(40));
        var file = _directory.File("chroma.jsonl");
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("checkpoints.db"));
        var engine = new MigrationEngine(checkpoints);
        await MigrationEngineTests.RunAsync(engine, new MigrationPlan(new StoreRecordSource(source.Store), new ExportFileSink(file, false)) { Mode = TransferMode.Auto, SkipUnchanged = false });

        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = TestStores.Dimension, EmbeddingModel = "builtin" });
        await using var upstash = TestStores.Upstash(emulator.Url, emulator.Token);
        await MigrationEngineTests.RunAsync(engine, new MigrationPlan(new ExportFileSource(file), new StoreRecordSink(upstash.Store, 1000)) { Mode = TransferMode.Text });
        await using var chromaCopy = TestStores.Chroma(chroma.Server.Url, ChromaFixture.UniqueCollection("restore"));
        await MigrationEngineTests.RunAsync(engine, new MigrationPlan(new ExportFileSource(file), new StoreRecordSink(chromaCopy.Store, 10_000)) { Mode = TransferMode.Vectors });

        var text = await new StoreVerifier().VerifyAsync(new ExportFileSource(file), new StoreRecordSource(upstash.Store), new VerifyOptions());
        var vectors = await new StoreVerifier().VerifyAsync(new StoreRecordSource(source.Store), new StoreRecordSource(chromaCopy.Store), new VerifyOptions { Mode = TransferMode.Vectors });
        Assert.True(text.Clean, text.ToJson());
        Assert.True(vectors.Clean, vectors.ToJson());
        Assert.Equal(1.0, vectors.Vectors!.OverlapAt10);
        Assert.True(emulator.Admin.Stats.For("upsert-data") > 0, "text mode must re-embed in the target");
    }

    [Fact]
    public async Task A_truncated_export_is_refused_before_anything_is_written()
    {
        var file = await ExportFoodsAsync(50);
        var lines = await ReadLinesAsync(file);
        await File.WriteAllLinesAsync(file, lines.Take(lines.Count - 10));

        var (error, target) = await RestoreExpectingFailureAsync(file);

        Assert.Contains("truncated", error.Message);
        Assert.Equal(0, (await target.Store.GetInfoAsync()).VectorCount);
        await target.DisposeAsync();
    }

    [Fact]
    public async Task A_corrupt_line_is_refused_with_its_line_number_before_anything_is_written()
    {
        var file = await ExportFoodsAsync(50);
        var lines = await ReadLinesAsync(file);
        lines[30] = lines[30][..(lines[30].Length / 2)];
        await File.WriteAllLinesAsync(file, lines);

        var (error, target) = await RestoreExpectingFailureAsync(file);

        Assert.Contains("line 31", error.Message);
        Assert.Contains("corrupt", error.Message);
        Assert.Equal(0, (await target.Store.GetInfoAsync()).VectorCount);
        await target.DisposeAsync();
    }

    [Fact]
    public async Task A_cut_gzip_file_and_a_missing_file_are_refused()
    {
        var file = await ExportFoodsAsync(300, gzip: true);
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)]);

        var (cut, target) = await RestoreExpectingFailureAsync(file);
        var (missing, other) = await RestoreExpectingFailureAsync(_directory.File("nothing-here.jsonl"));

        Assert.True(cut.Message.Contains("truncated", StringComparison.Ordinal) || cut.Message.Contains("damaged", StringComparison.Ordinal), cut.Message);
        Assert.Contains("does not exist", missing.Message);
        Assert.Equal(0, (await target.Store.GetInfoAsync()).VectorCount);
        await target.DisposeAsync();
        await other.DisposeAsync();
    }

    [Fact]
    public async Task Restoring_in_vectors_mode_into_another_embedding_space_is_refused()
    {
        var file = await ExportFoodsAsync(10);
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = TestStores.Dimension, EmbeddingModel = "BAAI/bge-small-en-v1.5" });
        await using var upstash = TestStores.Upstash(emulator.Url, emulator.Token);
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("restore-checkpoints.db"));

        await Assert.ThrowsAsync<Core.VectorStores.EmbeddingSpaceMismatchException>(() => MigrationEngineTests.RunAsync(new MigrationEngine(checkpoints),
            new MigrationPlan(new ExportFileSource(file), new StoreRecordSink(upstash.Store, 1000)) { Mode = TransferMode.Vectors }));
        Assert.Equal(0, emulator.Admin.Stats.For("upsert"));
    }

    private async Task<string> ExportFoodsAsync(int count, bool gzip = false)
    {
        await using var source = TestStores.Sqlite(_directory.File($"export-source-{Guid.NewGuid():N}.db"));
        await TestStores.FillAsync(source.Store, TestStores.Foods(count));
        var file = _directory.File($"export-{Guid.NewGuid():N}.jsonl" + (gzip ? ".gz" : ""));
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("export-checkpoints.db"));
        await MigrationEngineTests.RunAsync(new MigrationEngine(checkpoints), new MigrationPlan(new StoreRecordSource(source.Store), new ExportFileSink(file, gzip)) { Mode = TransferMode.Auto, SkipUnchanged = false });
        return file;
    }

    private async Task<(TransferInputException Error, TestStore Target)> RestoreExpectingFailureAsync(string file)
    {
        var target = TestStores.Sqlite(_directory.File($"restore-{Guid.NewGuid():N}.db"));
        await using var checkpoints = new SqliteMigrationCheckpointStore(_directory.File("restore-checkpoints.db"));
        var error = await Assert.ThrowsAsync<TransferInputException>(() => MigrationEngineTests.RunAsync(new MigrationEngine(checkpoints),
            new MigrationPlan(new ExportFileSource(file), new StoreRecordSink(target.Store, 1000)) { Mode = TransferMode.Vectors }));
        return (error, target);
    }

    private static async Task<List<string>> ReadLinesAsync(string file)
    {
        await using var stream = ExportFormat.OpenRead(file);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    private static bool IsGzip(string file)
    {
        using var stream = File.OpenRead(file);
        return stream.ReadByte() == 0x1f && stream.ReadByte() == 0x8b;
    }
}
