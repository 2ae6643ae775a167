using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests;

/// <summary>The rollback set-up ARCHITECTURE.md describes, end to end over real gRPC: Upstash (the emulator) primary,
/// SQLite fallback, <c>WriteMode = Dual</c>. A write acknowledged by the primary reaches the fallback through the
/// durable journal, and when the primary goes down reads are served by the fallback with that write in them.</summary>
public sealed class DualWriteEndToEndTests
{
    [Fact]
    public async Task A_dual_write_reaches_the_fallback_and_is_served_from_it_when_upstash_is_down()
    {
        // "builtin" makes the emulator embed with the same built-in embedder as the SQLite store: one embedding space.
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Upstash",
            ["VectorStore:Fallback"] = "Sqlite",
            ["VectorStore:WriteMode"] = "Dual",
            ["VectorStore:Upstash:Url"] = emulator.Url,
            ["VectorStore:Upstash:Token"] = emulator.Token,
            ["Ingestion:OnStart"] = "false",
        });

        var upsert = await server.Vector.UpsertAsync(new UpsertRequest
        {
            Records = { new VectorRecord { Id = "quindim", Text = "Quindim is a glossy Brazilian custard of egg yolks, sugar and grated coconut." } },
        });
        Assert.Equal(1, upsert.Upserted);
        Assert.Equal("upstash", upsert.ServedBy);
        Assert.True(emulator.Admin.Stats.For("upsert-data") > 0, "the primary did not receive the write");

        emulator.Admin.Faults = new FaultSettings { Rate503 = 1.0 };
        QueryResponse? reply = null;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            reply = await server.Vector.QueryAsync(new QueryRequest { Text = "coconut custard from Brazil", TopK = 1 });
            if (reply.Matches.Count > 0)
            {
                break;
            }

            // The journal replays in the background; until it has, the fallback may not hold the record yet.
            await Task.Delay(250);
        }

        Assert.NotNull(reply);
        Assert.True(reply.FallbackUsed, "the read was not served by the fallback although Upstash answers 503");
        Assert.Equal("sqlite", reply.ServedBy);
        Assert.Equal("quindim", Assert.Single(reply.Matches).Id);
    }
}
