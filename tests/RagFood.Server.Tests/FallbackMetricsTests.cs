using System.Diagnostics.Metrics;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests;

/// <summary>The journal and breaker state as instruments of the RagFood meter, read with a MeterListener.</summary>
public sealed class FallbackMetricsTests
{
    [Fact]
    public async Task Pending_entries_for_a_black_holed_primary_show_in_the_journal_gauge()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Upstash",
            ["VectorStore:Fallback"] = "Sqlite",
            ["VectorStore:WriteMode"] = "Dual",
            ["VectorStore:Upstash:Url"] = emulator.Url,
            ["VectorStore:Upstash:Token"] = emulator.Token,
            ["VectorStore:FallbackPolicy:PrimaryWriteTimeout"] = "00:00:00.200",
            ["VectorStore:FallbackPolicy:ReplayAttemptTimeout"] = "00:00:00.200",
            ["VectorStore:FallbackPolicy:ReplayMaxAttempts"] = "1",
            ["Ingestion:OnStart"] = "false",
        });
        emulator.Admin.Faults = new FaultSettings { BlackHole = true };

        var reply = await server.Vector.UpsertAsync(new UpsertRequest { Records = { new VectorRecord { Id = "m1", Text = "Metered dumplings." } } });
        await server.Vector.InfoAsync(new InfoRequest());
        var pending = Observe(server.Services.GetRequiredService<IMeterFactory>(), "ragfood.journal.pending");
        emulator.Admin.Faults = new FaultSettings();

        Assert.Equal("sqlite", reply.DurableIn);
        Assert.Equal(1, pending.GetValueOrDefault("upstash"));
        Assert.Equal(0, pending.GetValueOrDefault("sqlite"));
    }

    private static Dictionary<string, double> Observe(IMeterFactory serverMeters, string instrumentName)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // This server's meter only: other tests' servers publish the same instruments in this process.
                if (instrument.Meter.Name == "RagFood" && ReferenceEquals(instrument.Meter.Scope, serverMeters) && instrument.Name == instrumentName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => values[(string)tags[0].Value!] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
