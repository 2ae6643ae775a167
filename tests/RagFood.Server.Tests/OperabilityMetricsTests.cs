using Grpc.Core;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;
using RagFood.Server.Tests.Transfer;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests;

/// <summary>The RagFood meter's transfer, fallback and hedge instruments, read back through OpenTelemetry's in-memory
/// exporter.</summary>
/// <remarks>Listeners are process-wide, so points are picked by tags that only this test's server produces.</remarks>
public sealed class OperabilityMetricsTests
{
    [Fact]
    public async Task Ingestion_and_an_export_count_their_records_by_outcome_and_the_export_leaves_its_progress_at_one()
    {
        var metrics = new List<Metric>();
        await using var server = await StartAsync(metrics);
        await server.WaitForIngestionAsync();
        var file = Path.Combine(server.Directory, "metered.jsonl");

        var events = await ExportAsync(server, file);
        var dryRun = await MigrationServiceTests.MigrateAsync(server, new MigrateRequest
        {
            Source = new TransferEndpoint { ExportFile = file },
            Target = new TransferEndpoint { Store = "primary" },
            DryRun = true,
        });
        server.Services.GetRequiredService<MeterProvider>().ForceFlush();

        Assert.Equal(TestCorpus.Count, events[^1].Summary.Written);
        Assert.True(dryRun[^1].Summary.DryRun);
        var records = Points(metrics, "ragfood.transfer.records").Where(p => Tag(p, "ragfood.target") is string t && t.EndsWith("metered.jsonl", StringComparison.Ordinal)).ToList();
        Assert.Equal(TestCorpus.Count, records.Where(p => Tag(p, "ragfood.outcome") is "written" && Tag(p, "ragfood.transfer.kind") is "export").Sum(p => p.GetSumLong()));
        Assert.Equal(TestCorpus.Count, records.Where(p => Tag(p, "ragfood.outcome") is "read").Sum(p => p.GetSumLong()));
        var progress = Points(metrics, "ragfood.transfer.progress").Where(p => Tag(p, "ragfood.target") is string t && t.EndsWith("metered.jsonl", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(progress);
        Assert.Equal(1.0, progress[^1].GetGaugeLastValueDouble());
        // Other servers in this process feed the same meter name: at least this server's start-up ingestion is there.
        Assert.True(Points(metrics, "ragfood.ingestion.items").Where(p => Tag(p, "ragfood.outcome") is "written").Sum(p => p.GetSumLong()) >= TestCorpus.Count);
        // The dry run wrote nothing, so nothing of it is measured.
        Assert.DoesNotContain(Points(metrics, "ragfood.transfer.records"), p => Tag(p, "ragfood.source") is string s && s.EndsWith("metered.jsonl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_black_holed_primary_is_hedged_and_its_reads_served_by_the_fallback_are_counted()
    {
        var metrics = new List<Metric>();
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await StartAsync(metrics, ServerHost.OnUpstash(emulator,
            ("VectorStore:Fallback", "Sqlite"),
            ("VectorStore:FallbackPolicy:HedgeFloor", "00:00:00.050"),
            ("VectorStore:FallbackPolicy:HedgeCeiling", "00:00:00.200"),
            ("VectorStore:FallbackPolicy:PrimaryReadTimeout", "00:00:05")));
        // A first answer from each side: the embedding spaces are known to agree, so text reads may hedge.
        await server.Vector.QueryAsync(new QueryRequest { Text = "rice", TopK = 1 });
        emulator.Admin.Faults = new FaultSettings { BlackHole = true };

        var reply = await server.Vector.QueryAsync(new QueryRequest { Text = "rice", TopK = 1 }, deadline: DateTime.UtcNow.AddSeconds(20));
        emulator.Admin.Faults = new FaultSettings();
        server.Services.GetRequiredService<MeterProvider>().ForceFlush();

        Assert.Equal("sqlite", reply.ServedBy);
        Assert.True(reply.FallbackUsed);
        Assert.True(Last(metrics, "ragfood.store.hedges", "upstash") >= 1);
        Assert.True(Last(metrics, "ragfood.store.fallbacks", "upstash") >= 1);
    }

    private static Task<ServerHost> StartAsync(List<Metric> metrics, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Telemetry:Enabled"] = "true";
        return ServerHost.StartAsync(settings, configureServices: services =>
            services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics)));
    }

    private static async Task<List<TransferEvent>> ExportAsync(ServerHost server, string path)
    {
        using var call = new MigrationService.MigrationServiceClient(server.Channel).Export(new ExportRequest { Path = path });
        var events = new List<TransferEvent>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            events.Add(response.Event);
        }

        return events;
    }

    /// <summary>The latest exported value of an observable counter for one store (the exporter keeps every collection).</summary>
    private static long Last(List<Metric> metrics, string name, string store) =>
        Points(metrics, name).Where(p => Tag(p, "store") is string s && s == store).Select(p => p.GetSumLong()).DefaultIfEmpty(0).Last();

    private static List<MetricPoint> Points(List<Metric> metrics, string name) => MetricPoints.Of(metrics, name);

    private static object? Tag(MetricPoint point, string key) => point.Tag(key);
}
