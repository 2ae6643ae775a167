using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class DiagnosticsServiceTests(ServerFixture fixture)
{
    [Fact]
    public async Task Ping_echoes_its_payload()
    {
        var reply = await fixture.Host.Diagnostics.PingAsync(new PingRequest { Payload = "hello" });

        Assert.Equal("hello", reply.Payload);
    }

    [Fact]
    public async Task The_server_listens_on_loopback_with_plaintext_http2()
    {
        Assert.Equal("127.0.0.1", fixture.Host.Address.Host);
        Assert.Equal("http", fixture.Host.Address.Scheme);

        using var handler = new SocketsHttpHandler();
        using var http = new HttpClient(handler) { DefaultRequestVersion = System.Net.HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http.GetAsync(fixture.Host.Address);

        Assert.Equal(new Version(2, 0), response.Version);
    }
}
