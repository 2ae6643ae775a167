using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RagFood.Core.VectorStores;
using RagFood.Server.Edge;
using RagFood.Server.Grpc;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>A store that is down fails every request: its Warning is written once per store, kind and interval, with
/// the count held back, not once per request.</summary>
public sealed class StoreFailureLogTests
{
    [Fact]
    public void A_failure_repeated_by_every_request_is_one_line_per_interval_with_the_count_held_back()
    {
        var time = new FakeTimeProvider();
        using var capture = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(capture));
        var log = new StoreFailureLog(Options.Create(new EdgeOptions { RefusalLogInterval = TimeSpan.FromMinutes(1) }), time, loggers.CreateLogger<StoreFailureLog>());
        var down = new VectorStoreException("upstash", VectorStoreErrorKind.Unavailable, "upstash answered 503");

        for (var i = 0; i < 100; i++)
        {
            log.Failed("/ragfood.v1.VectorService/Query", down);
        }

        log.Failed("/ragfood.v1.VectorService/Query", new VectorStoreException("upstash", VectorStoreErrorKind.Unauthenticated, "token refused"));
        log.Failed("/ragfood.v1.VectorService/Query", new VectorStoreException("chroma", VectorStoreErrorKind.Unavailable, "chroma is down"));
        time.Advance(TimeSpan.FromMinutes(1));
        log.Failed("/ragfood.v1.RagService/Ask", down);

        var lines = capture.Entries.Where(e => e.EventId.Id == 3000).Select(e => e.Message).ToList();
        Assert.Equal(4, lines.Count);
        Assert.Contains("upstash answered 503; 0 similar", lines[0], StringComparison.Ordinal);
        Assert.Contains("token refused", lines[1], StringComparison.Ordinal);
        Assert.Contains("chroma is down", lines[2], StringComparison.Ordinal);
        Assert.Contains("Ask failed in store 'upstash' (Unavailable): upstash answered 503; 99 similar", lines[3], StringComparison.Ordinal);
        Assert.All(capture.Entries.Where(e => e.EventId.Id == 3000), e => Assert.Equal(LogLevel.Warning, e.Level));
    }
}
