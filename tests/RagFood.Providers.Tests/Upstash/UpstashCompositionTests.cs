using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFood.Core.VectorStores;
using RagFood.Providers.Tests.Support;
using RagFood.Providers.Upstash;
using RagFood.Providers.Upstash.Internal;

namespace RagFood.Providers.Tests.Upstash;

/// <summary>Registration, configuration binding, credential sources (.env, environment) and start-up validation.</summary>
public sealed class UpstashCompositionTests
{
    [Fact]
    public void Options_bind_from_the_upstash_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["VectorStore:Upstash:Url"] = "https://example-vector.upstash.io",
            ["VectorStore:Upstash:Token"] = "token-from-config",
            ["VectorStore:Upstash:Namespace"] = "foods",
            ["VectorStore:Upstash:Timeout"] = "00:00:12",
            ["VectorStore:Upstash:BatchSize"] = "250",
            ["VectorStore:Upstash:RequestsPerSecond"] = "5",
        }).Build();
        using var provider = new ServiceCollection().AddLogging()
            .AddUpstashVectorStore(configuration.GetSection(UpstashVectorStoreOptions.SectionName)).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<UpstashVectorStoreOptions>>().Value;

        Assert.Equal("https://example-vector.upstash.io", options.Url);
        Assert.Equal("foods", options.Namespace);
        Assert.Equal(TimeSpan.FromSeconds(12), options.Timeout);
        Assert.Equal(250, options.BatchSize);
        Assert.Equal(5, options.RequestsPerSecond);
        Assert.IsType<UpstashVectorStore>(provider.GetRequiredKeyedService<IVectorStore>(UpstashVectorStore.ProviderName));
    }

    [Fact]
    public void Empty_credentials_come_from_the_conventional_environment_variables()
    {
        var options = new UpstashVectorStoreOptions();
        var environment = new Dictionary<string, string?>
        {
            [UpstashCredentialSources.UrlVariable] = " https://env-vector.upstash.io ",
            [UpstashCredentialSources.TokenVariable] = "env-token\n",
        };

        UpstashCredentialSources.Fill(options, key => environment.GetValueOrDefault(key), dotEnvPath: null);

        Assert.Equal("https://env-vector.upstash.io", options.Url);
        Assert.Equal("env-token", options.Token);
    }

    [Fact]
    public void A_dot_env_file_fills_what_neither_configuration_nor_environment_set()
    {
        using var directory = new TempDirectory();
        var path = directory.File(".env");
        File.WriteAllText(path, """
            # Upstash credentials
            export UPSTASH_VECTOR_REST_URL="https://dotenv-vector.upstash.io"
            UPSTASH_VECTOR_REST_TOKEN='dotenv token' 

            OTHER=ignored # comment
            """);
        var options = new UpstashVectorStoreOptions();
        var configured = new UpstashVectorStoreOptions { Url = "https://configured.upstash.io" };

        UpstashCredentialSources.Fill(options, _ => null, path);
        UpstashCredentialSources.Fill(configured, key => key == UpstashCredentialSources.UrlVariable ? "https://env.upstash.io" : null, path);

        Assert.Equal("https://dotenv-vector.upstash.io", options.Url);
        Assert.Equal("dotenv token", options.Token);
        Assert.Equal("https://configured.upstash.io", configured.Url);
        Assert.Equal("dotenv token", configured.Token);
        Assert.Equal("ignored", UpstashCredentialSources.ReadDotEnv(path)["OTHER"]);
    }

    [Theory]
    [InlineData(null, "t", 100, "Url is required")]
    [InlineData("ftp://x", "t", 100, "absolute http(s) URL")]
    [InlineData("https://x.upstash.io", null, 100, "Token is required")]
    [InlineData("https://x.upstash.io", "t", 1001, "BatchSize must be between 1 and 1000")]
    [InlineData("https://x.upstash.io", "t", 0, "BatchSize must be between 1 and 1000")]
    public void Invalid_options_fail_validation_with_a_message_naming_the_setting(string? url, string? token, int batchSize, string expected)
    {
        var result = new UpstashVectorStoreOptionsValidator().Validate(null, new UpstashVectorStoreOptions { Url = url, Token = token, BatchSize = batchSize });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_runs_when_the_options_are_first_used_and_never_echoes_the_token()
    {
        using var provider = new ServiceCollection().AddLogging()
            .AddUpstashVectorStore(o =>
            {
                o.Url = "not a url";
                o.Token = "secret-token-123";
            }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<UpstashVectorStoreOptions>>().Value);

        Assert.Contains("Url must be an absolute http(s) URL", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token-123", error.Message, StringComparison.Ordinal);
    }
}
