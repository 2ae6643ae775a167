using Grpc.Core;
using Grpc.Health.V1;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>With Auth:ApiKeys set, ragfood.v1 calls need a Bearer key; health and reflection stay open.</summary>
public sealed class AuthTests : IAsyncLifetime
{
    private const string KeyOne = "key-one-0123456789";
    private const string KeyTwo = "key-two-9876543210";
    private ServerHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0"] = KeyOne,
            ["Auth:ApiKeys:1"] = KeyTwo,
            ["Ingestion:OnStart"] = "false",
        });
        await _host.WaitForIngestionAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_call_without_a_key_is_unauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _host.Diagnostics.PingAsync(new PingRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("authorization: Bearer", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer wrong-key")]
    [InlineData("Bearer key-one")]
    [InlineData("Basic key-one-0123456789")]
    [InlineData(KeyOne)]
    public async Task A_call_with_a_wrong_key_is_unauthenticated(string header)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _host.Vector.InfoAsync(new InfoRequest(), new Metadata { { "authorization", header } }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.DoesNotContain(KeyOne, error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KeyOne)]
    [InlineData(KeyTwo)]
    public async Task Either_configured_key_is_accepted(string key)
    {
        var reply = await _host.Diagnostics.PingAsync(new PingRequest { Payload = "ok" }, new Metadata { { "authorization", $"Bearer {key}" } });

        Assert.Equal("ok", reply.Payload);
    }

    [Fact]
    public async Task A_streaming_call_needs_a_key_too()
    {
        using var call = _host.Rag.AskStream(new AskStreamRequest { Question = "rice" });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Health_stays_open_without_a_key()
    {
        var reply = await _host.Health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_stays_open_without_a_key()
    {
        var client = new global::Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(_host.Channel);
        using var call = client.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new global::Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Contains(call.ResponseStream.Current.ListServicesResponse.Service, s => s.Name == "ragfood.v1.RagService");
    }
}
