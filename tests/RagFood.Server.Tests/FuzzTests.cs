using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;
using Xunit.Abstractions;

namespace RagFood.Server.Tests;

/// <summary>Random and mutated protobuf to every RPC for a bounded time: no crash, no hang, no INTERNAL or UNKNOWN, and
/// the read RPCs leave the store as it was.</summary>
/// <remarks>Short in the suite (RAGFOOD_FUZZ_SECONDS, default 4, split between the read and the write phase); a longer
/// run is <c>RAGFOOD_FUZZ_SECONDS=300 dotnet test tests/RagFood.Server.Tests --filter FullyQualifiedName~FuzzTests</c>
/// (docs/load-and-fuzz.md). RAGFOOD_FUZZ_SEED replays a run; the seed is printed. The migration RPCs (Migrate, Verify,
/// Export, Restore) and RepairStores are left out: their requests name files and stores, so mutated ones would read
/// and write arbitrary paths of the machine running the test.</remarks>
public sealed class FuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly StatusCode[] Forbidden = [StatusCode.Internal, StatusCode.Unknown, StatusCode.DeadlineExceeded, StatusCode.Unavailable];
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private ServerHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServerHost.StartAsync();
        await _host.WaitForIngestionAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Hostile_bodies_to_every_RPC_are_refused_cleanly_and_reads_change_nothing()
    {
        var seconds = double.Parse(Environment.GetEnvironmentVariable("RAGFOOD_FUZZ_SECONDS") ?? "4", CultureInfo.InvariantCulture);
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RAGFOOD_FUZZ_SEED"), CultureInfo.InvariantCulture, out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        output.WriteLine($"fuzz seed {seed}, {seconds} s");
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<string, int>();

        var before = await SnapshotAsync();
        var reads = await FuzzAsync(ReadRpcs(), TimeSpan.FromSeconds(seconds / 2), seed, failures, statuses);
        var after = await SnapshotAsync();
        var writes = await FuzzAsync(WriteRpcs(), TimeSpan.FromSeconds(seconds / 2), seed + 1, failures, statuses);
        var ping = await _host.Diagnostics.PingAsync(new PingRequest { Payload = "still here" });

        output.WriteLine($"{reads} read calls, {writes} write calls; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"))}");
        Assert.True(failures.IsEmpty, $"seed {seed}:\n" + string.Join("\n", failures.Take(20)));
        Assert.Equal(before, after);
        Assert.Equal("still here", ping.Payload);
        Assert.True(reads > 0 && writes > 0);
    }

    private async Task<long> FuzzAsync(IReadOnlyList<Rpc> rpcs, TimeSpan duration, int seed, ConcurrentQueue<string> failures, ConcurrentDictionary<string, int> statuses)
    {
        const int workers = 4;
        var stopAt = DateTime.UtcNow + duration;
        long calls = 0;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            var fuzzer = new ProtobufFuzzer(seed * workers + worker);
            var pick = new Random(seed ^ worker);
            while (DateTime.UtcNow < stopAt && failures.Count < 20)
            {
                var rpc = rpcs[pick.Next(rpcs.Count)];
                var body = fuzzer.Next(rpc.Seeds);
                var status = await RawGrpc.CallAsync(_host.Channel, rpc.Path, rpc.ServerStreaming, body, CallTimeout);
                Interlocked.Increment(ref calls);
                statuses.AddOrUpdate(status.StatusCode.ToString(), 1, (_, n) => n + 1);
                if (Forbidden.Contains(status.StatusCode))
                {
                    failures.Enqueue($"{rpc.Path} {status.StatusCode} \"{status.Detail}\" for {Convert.ToHexString(body)}");
                }
            }
        }));
        return calls;
    }

    /// <summary>Every record of every namespace, with text, metadata and vectors, as bytes.</summary>
    private async Task<string> SnapshotAsync()
    {
        var lines = new List<string>();
        var namespaces = await _host.Vector.ListNamespacesAsync(new ListNamespacesRequest());
        foreach (var name in namespaces.Namespaces.Order(StringComparer.Ordinal))
        {
            var cursor = "";
            do
            {
                var page = await _host.Vector.RangeAsync(new RangeRequest { Namespace = name, Cursor = cursor, Limit = 1000, IncludeVectors = true, IncludeMetadata = true, IncludeText = true });
                lines.AddRange(page.Records.Select(r => $"{name}/{r.Id}:{Convert.ToBase64String(r.ToByteArray())}"));
                cursor = page.NextCursor;
            }
            while (cursor.Length > 0);
        }

        return string.Join("\n", lines);
    }

    private static List<Rpc> ReadRpcs() =>
    [
        new("/ragfood.v1.RagService/Ask", false, [new AskRequest { Question = "spicy rice from India", TopK = 3 }, new AskRequest { Question = "soup", Filter = "region = 'Japan'" }]),
        new("/ragfood.v1.RagService/AskStream", true, [new AskStreamRequest { Question = "a sweet dessert", TopK = 2 }]),
        new("/ragfood.v1.VectorService/Query", false,
        [
            new QueryRequest { Text = "noodles", TopK = 5, Filter = "type != 'Dessert'" },
            new QueryRequest { Vector = { Enumerable.Range(0, 8).Select(i => i / 8f) }, TopK = 3, IncludeVectors = true },
        ]),
        new("/ragfood.v1.VectorService/Fetch", false, [new FetchRequest { Ids = { "1", "2", "missing" }, IncludeVectors = true }, new FetchRequest { Prefix = "1" }]),
        new("/ragfood.v1.VectorService/Range", false, [new RangeRequest { Limit = 5, Prefix = "", IncludeMetadata = true }]),
        new("/ragfood.v1.VectorService/Info", false, [new InfoRequest()]),
        new("/ragfood.v1.VectorService/ListNamespaces", false, [new ListNamespacesRequest()]),
        new("/ragfood.v1.DiagnosticsService/Ping", false, [new PingRequest { Payload = "ping" }]),
        new("/ragfood.v1.OperationsService/Usage", false, [new UsageRequest()]),
        new("/ragfood.v1.OperationsService/CheckSetup", false, [new CheckSetupRequest()]),
        new("/ragfood.v1.StoresService/VerifyStores", false, [new VerifyStoresRequest { Namespace = "" }]),
    ];

    private static List<Rpc> WriteRpcs()
    {
        var record = new VectorRecord { Id = "fuzz-1", Text = "a fuzzed dish of rice", Metadata = Struct.Parser.ParseJson("""{"region":"Fuzzland","type":"Main","tags":["a","b"],"nested":{"n":1}}""") };
        var item = Struct.Parser.ParseJson("""{"id":"fuzz-2","text":"fuzzed noodle soup","region":"Fuzzland","type":"Soup"}""");
        return
        [
            new("/ragfood.v1.VectorService/Upsert", false, [new UpsertRequest { Namespace = "fuzz", Records = { record } }]),
            new("/ragfood.v1.VectorService/Ingest", false, [new IngestRequest { Namespace = "fuzz", Items = { item } }]),
            new("/ragfood.v1.VectorService/Delete", false, [new DeleteRequest { Namespace = "fuzz", Ids = { "fuzz-1" } }, new DeleteRequest { Namespace = "fuzz", Filter = "region = 'Fuzzland'" }]),
            new("/ragfood.v1.VectorService/Reset", false, [new ResetRequest { Namespace = "fuzz" }]),
            new("/ragfood.v1.VectorService/DeleteNamespace", false, [new DeleteNamespaceRequest { Namespace = "fuzz" }]),
            .. ReadRpcs(),
        ];
    }

    private sealed record Rpc(string Path, bool ServerStreaming, IReadOnlyList<IMessage> Seeds);
}
