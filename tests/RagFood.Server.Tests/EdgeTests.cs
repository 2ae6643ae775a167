using System.Net;
using System.Net.Sockets;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using RagFood.Contracts.V1;
using RagFood.Server.Edge;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>The edge: Kestrel limits from configuration, the TLS endpoint, plaintext only on loopback unless allowed,
/// and per-client rate limits.</summary>
public sealed class EdgeTests
{
    [Fact]
    public void Kestrel_limits_have_RagFoods_defaults_and_follow_configuration()
    {
        using var defaults = Build([]);
        using var configured = Build(new() { ["Kestrel:Limits:KeepAliveTimeout"] = "00:00:05", ["Kestrel:Limits:Http2:MaxStreamsPerConnection"] = "7" });

        var limits = defaults.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(TimeSpan.FromSeconds(30), limits.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.RequestHeadersTimeout);
        Assert.Equal(1024, limits.MaxConcurrentConnections);
        var changed = configured.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(TimeSpan.FromSeconds(5), changed.KeepAliveTimeout);
        Assert.Equal(7, changed.Http2.MaxStreamsPerConnection);
    }

    [Theory]
    [InlineData("http://0.0.0.0:50065")]
    [InlineData("http://*:50065")]
    [InlineData("http://[::]:50065")]
    [InlineData("http://ragfood.example:50065")]
    public void A_plaintext_endpoint_beyond_loopback_is_refused_unless_allowed(string url)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Urls"] = url }));
        Assert.Contains("Edge:AllowNonLoopbackPlaintext", error.Message, StringComparison.Ordinal);

        using var allowed = Build(new() { ["Urls"] = url, ["Edge:AllowNonLoopbackPlaintext"] = "true" });
        Assert.Equal([url], allowed.Services.GetRequiredService<EdgeExposure>().NonLoopbackPlaintext);
    }

    [Theory]
    [InlineData("http://127.0.0.1:50051", true)]
    [InlineData("http://127.1.2.3:1", true)]
    [InlineData("http://localhost:50051", true)]
    [InlineData("http://[::1]:50051", true)]
    [InlineData("http://10.0.0.5:50051", false)]
    [InlineData("http://+:50051", false)]
    public void Loopback_addresses_are_recognised(string url, bool loopback) =>
        Assert.Equal(loopback, EdgeHostingExtensions.IsLoopback(url));

    [Fact]
    public void A_missing_certificate_file_stops_the_server_with_a_clear_message()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Build(new() { ["Tls:Url"] = "https://127.0.0.1:0", ["Tls:CertificatePath"] = "/nonexistent/server.pem" }));

        Assert.Contains("Tls:CertificatePath", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_TLS_endpoint_serves_gRPC_over_HTTP2_and_HTTP1_by_ALPN_beside_the_loopback_plaintext_one(bool pfx)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("ragfood-tls-").FullName;
        using var certificate = TestCertificate.Create(directory);
        var settings = new Dictionary<string, string?> { ["Tls:Url"] = "https://127.0.0.1:0", ["Ingestion:OnStart"] = "false" };
        if (pfx)
        {
            settings["Tls:CertificatePath"] = certificate.PfxPath;
            settings["Tls:CertificatePassword"] = TestCertificate.PfxPassword;
        }
        else
        {
            settings["Tls:CertificatePath"] = certificate.CertificatePemPath;
            settings["Tls:KeyPath"] = certificate.KeyPemPath;
        }

        await using var host = await ServerHost.StartAsync(settings, directory);
        var addresses = host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.ToList();
        var https = new Uri(addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)));
        Assert.Contains(addresses, a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));

        using var channel = GrpcChannel.ForAddress(https, new GrpcChannelOptions { HttpHandler = certificate.TrustingHandler() });
        var reply = await new DiagnosticsService.DiagnosticsServiceClient(channel).PingAsync(new PingRequest { Payload = "tls" });
        Assert.Equal("tls", reply.Payload);

        using var http = new HttpClient(certificate.TrustingHandler());
        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, https) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await http.SendAsync(request);
            Assert.Equal(version, response.Version);
        }

        using var untrusting = GrpcChannel.ForAddress(https);
        var refused = await Assert.ThrowsAsync<RpcException>(() => new DiagnosticsService.DiagnosticsServiceClient(untrusting).PingAsync(new PingRequest()).ResponseAsync);
        Assert.Contains(refused.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
    }

    [Fact]
    public async Task A_connection_that_never_completes_its_preface_is_closed_after_the_keep_alive_timeout()
    {
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Ingestion:OnStart"] = "false", ["Kestrel:Limits:KeepAliveTimeout"] = "00:00:02" });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(host.Address.Host, host.Address.Port);
        await socket.SendAsync("PRI * HTTP/2.0\r\n"u8.ToArray());

        var buffer = new byte[256];
        // The server ends the connection (0 bytes, or a reset); a generous bound keeps a regression from hanging the run.
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (SocketException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }
        }
    }

    [Fact]
    public async Task A_client_over_its_rate_is_resource_exhausted_with_a_retry_delay_and_health_stays_open()
    {
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ingestion:OnStart"] = "false",
            ["RateLimiting:ExemptLoopback"] = "false",
            ["RateLimiting:PermitsPerSecond"] = "1",
            ["RateLimiting:Burst"] = "2",
        });

        await host.Diagnostics.PingAsync(new PingRequest());
        await host.Diagnostics.PingAsync(new PingRequest());
        var refused = await Assert.ThrowsAsync<RpcException>(() => host.Vector.InfoAsync(new InfoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        var milliseconds = long.Parse(refused.Trailers.GetValue("retry-after-ms")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(milliseconds, 1, 1000);
        var retryInfo = refused.GetRpcStatus()!.GetDetail<RetryInfo>();
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), retryInfo.RetryDelay.ToTimeSpan());
        for (var i = 0; i < 5; i++)
        {
            var health = await host.Health.CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest());
            Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
    }

    [Fact]
    public async Task With_API_keys_each_key_has_its_own_bucket()
    {
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ingestion:OnStart"] = "false",
            ["Auth:ApiKeys:0"] = "rate-key-one-0123",
            ["Auth:ApiKeys:1"] = "rate-key-two-4567",
            ["RateLimiting:ExemptLoopback"] = "false",
            ["RateLimiting:PermitsPerSecond"] = "1",
            ["RateLimiting:Burst"] = "1",
        });
        var one = new Metadata { { "authorization", "Bearer rate-key-one-0123" } };
        var two = new Metadata { { "authorization", "Bearer rate-key-two-4567" } };

        await host.Diagnostics.PingAsync(new PingRequest(), one);
        var refused = await Assert.ThrowsAsync<RpcException>(() => host.Diagnostics.PingAsync(new PingRequest(), one).ResponseAsync);
        var served = await host.Diagnostics.PingAsync(new PingRequest { Payload = "two" }, two);

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal("two", served.Payload);
    }

    [Fact]
    public async Task Loopback_callers_are_exempt_by_default()
    {
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ingestion:OnStart"] = "false",
            ["RateLimiting:PermitsPerSecond"] = "1",
            ["RateLimiting:Burst"] = "1",
        });

        for (var i = 0; i < 5; i++)
        {
            await host.Diagnostics.PingAsync(new PingRequest());
        }
    }

    [Fact]
    public async Task The_message_size_limit_is_Edge_MaxReceiveMessageSize_not_Kestrels_body_limit()
    {
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ingestion:OnStart"] = "false",
            ["Edge:MaxReceiveMessageSize"] = (8 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var text = new string('r', 7000);
        var request = new UpsertRequest { Namespace = "big" };
        request.Records.AddRange(Enumerable.Range(0, 800).Select(i => new VectorRecord { Id = $"big-{i}", Text = text }));
        Assert.True(request.CalculateSize() > 5 * 1024 * 1024);

        var reply = await host.Vector.UpsertAsync(request);
        request.Records.AddRange(Enumerable.Range(800, 400).Select(i => new VectorRecord { Id = $"big-{i}", Text = text }));
        var tooBig = await Assert.ThrowsAsync<RpcException>(() => host.Vector.UpsertAsync(request).ResponseAsync);

        Assert.Equal(800, reply.Upserted);
        Assert.Equal(StatusCode.ResourceExhausted, tooBig.StatusCode);
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["VectorStore:Sqlite:Path"] = Path.Combine(Path.GetTempPath(), "ragfood-edge-unstarted.db"),
            ["Ingestion:OnStart"] = "false",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddRagFoodServer();
        return builder.Build();
    }
}
