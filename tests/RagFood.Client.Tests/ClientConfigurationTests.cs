using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFood.Testing;

namespace RagFood.Client.Tests;

/// <summary>Options validation, DI registration, and what a caller sees when no server is there.</summary>
public sealed class ClientConfigurationTests
{
    [Theory]
    [InlineData("not a url")]
    [InlineData("127.0.0.1:50051")]
    [InlineData("ftp://127.0.0.1:50051")]
    [InlineData("http://127.0.0.1:50051/some/path")]
    public void Create_rejects_an_address_that_is_not_an_absolute_http_url(string address)
    {
        Assert.ThrowsAny<ArgumentException>(() => RagFoodClient.Create(address));
    }

    [Fact]
    public void Create_lists_every_invalid_option()
    {
        var ex = Assert.Throws<ArgumentException>(() => RagFoodClient.Create("http://127.0.0.1:1", o =>
        {
            o.MaxRetries = -1;
            o.DefaultDeadline = TimeSpan.Zero;
        }));

        Assert.Contains("MaxRetries", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DefaultDeadline", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRagFoodClient_registers_one_client_for_the_process()
    {
        var services = new ServiceCollection();
        services.AddRagFoodClient(o => o.Address = new Uri("http://127.0.0.1:50999"));
        using var provider = services.BuildServiceProvider();

        var first = provider.GetRequiredService<RagFoodClient>();
        var second = provider.GetRequiredService<RagFoodClient>();

        Assert.Same(first, second);
        Assert.Equal(new Uri("http://127.0.0.1:50999"), first.Address);
    }

    [Fact]
    public void AddRagFoodClient_binds_a_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RagFood:Address"] = "http://127.0.0.1:50998",
            ["RagFood:DefaultDeadline"] = "00:00:05",
            ["RagFood:MaxRetries"] = "1",
        }).Build();
        var services = new ServiceCollection();
        services.AddRagFoodClient(configuration.GetSection("RagFood"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RagFoodClientOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(5), options.DefaultDeadline);
        Assert.Equal(1, options.MaxRetries);
        Assert.Equal(new Uri("http://127.0.0.1:50998"), provider.GetRequiredService<RagFoodClient>().Address);
    }

    [Fact]
    public void AddRagFoodClient_fails_validation_for_bad_options()
    {
        var services = new ServiceCollection();
        services.AddRagFoodClient(o => o.Address = new Uri("ftp://127.0.0.1:1"));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<RagFoodClient>());

        Assert.Contains("http://", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_to_an_address_where_nothing_listens_fails_as_Unavailable_naming_the_address()
    {
        var port = ServerProcess.FreePort();
        using var client = RagFoodClient.Create($"http://127.0.0.1:{port}", o =>
        {
            o.MaxRetries = 1;
            o.InitialBackoff = TimeSpan.FromMilliseconds(10);
            o.MaxBackoff = TimeSpan.FromMilliseconds(10);
        });

        var ex = await Assert.ThrowsAsync<RagFoodException>(() => client.PingAsync());

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.True(ex.IsTransient);
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
    }
}
