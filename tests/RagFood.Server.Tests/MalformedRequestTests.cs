using Grpc.Core;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>Bodies that are not valid protobuf are INVALID_ARGUMENT with a short message, logged once per peer and
/// interval at Warning without a stack trace; refused API keys are logged the same way.</summary>
public sealed class MalformedRequestTests : IAsyncLifetime, IDisposable
{
    private const string ApiKey = "malformed-tests-key-0123";
    private readonly CapturingLoggerProvider _logs = new();
    private ServerHost _host = null!;

    public static TheoryData<string, byte[]> MalformedBodies()
    {
        // QueryRequest's first string field, whatever its number: tag = (number << 3) | 2 (length-delimited).
        var textField = QueryRequest.Descriptor.Fields.InFieldNumberOrder().First(f => f.FieldType == Google.Protobuf.Reflection.FieldType.String);
        var stringTag = (byte)((textField.FieldNumber << 3) | 2);
        return new TheoryData<string, byte[]>
        {
            { "bad varint", [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
            { "wrong wire type", [0x0F, 0x01] },
            { "invalid UTF-8", [stringTag, 0x02, 0xC3, 0x28] },
            { "truncated", [stringTag, 0x05, (byte)'r', (byte)'i'] },
            { "zero tag", [0x00, 0x01] },
        };
    }

    public async Task InitializeAsync()
    {
        _host = await ServerHost.StartAsync(
            new Dictionary<string, string?> { ["Ingestion:OnStart"] = "false", ["Auth:ApiKeys:0"] = ApiKey },
            configureServices: services => services.AddLogging(logging => logging.AddProvider(_logs)));
        await _host.WaitForIngestionAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _logs.Dispose();

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_malformed_body_is_invalid_argument_with_a_short_message(string kind, byte[] body)
    {
        var status = await RawGrpc.CallAsync(_host.Channel, "/ragfood.v1.VectorService/Query", serverStreaming: false, body, TimeSpan.FromSeconds(30), Authorized());

        Assert.True(status.StatusCode == StatusCode.InvalidArgument, $"{kind}: {status.StatusCode} {status.Detail}");
        Assert.Contains("ragfood.v1.QueryRequest", status.Detail, StringComparison.Ordinal);
        Assert.InRange(status.Detail.Length, 1, 300);
    }

    [Fact]
    public async Task A_malformed_streaming_request_is_invalid_argument_too()
    {
        var status = await RawGrpc.CallAsync(_host.Channel, "/ragfood.v1.RagService/AskStream", serverStreaming: true, [0x0A, 0x09, 0x61], TimeSpan.FromSeconds(30), Authorized());

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
    }

    [Fact]
    public async Task A_malformed_body_without_a_key_is_refused_for_the_key_first()
    {
        var status = await RawGrpc.CallAsync(_host.Channel, "/ragfood.v1.VectorService/Query", serverStreaming: false, [0x0F], TimeSpan.FromSeconds(30));

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
    }

    [Fact]
    public async Task A_flood_of_malformed_bodies_from_one_peer_logs_one_warning_and_no_stack_trace()
    {
        for (var i = 0; i < 25; i++)
        {
            var status = await RawGrpc.CallAsync(_host.Channel, "/ragfood.v1.VectorService/Fetch", serverStreaming: false, [0x12, 0x7F, 0x00], TimeSpan.FromSeconds(30), Authorized());
            Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        }

        var warnings = _logs.Entries.Where(e => e.EventId.Id == 3900).ToList();
        Assert.Single(warnings);
        Assert.Equal(LogLevel.Warning, warnings[0].Level);
        Assert.Null(warnings[0].Exception);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.DoesNotContain(_logs.Entries, e => e.Exception is not null && e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_flood_of_refused_keys_from_one_peer_logs_one_warning()
    {
        for (var i = 0; i < 25; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() =>
                _host.Vector.InfoAsync(new InfoRequest(), new Metadata { { "authorization", $"Bearer wrong-{i}" } }).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        }

        var warnings = _logs.Entries.Where(e => e.EventId.Id == 3003).ToList();
        Assert.Single(warnings);
        Assert.DoesNotContain("wrong-", warnings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_well_formed_request_still_works()
    {
        var reply = await _host.Diagnostics.PingAsync(new PingRequest { Payload = "fine" }, Authorized());

        Assert.Equal("fine", reply.Payload);
    }

    private static Metadata Authorized() => new() { { "authorization", $"Bearer {ApiKey}" } };
}
