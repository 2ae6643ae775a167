using Grpc.Core;
using RagFood.Testing;

namespace RagFood.Client.Tests;

/// <summary>Against a server whose rate limit is tiny (loopback not exempt): the client waits out refusals that carry a
/// retry delay, within its bounds, and otherwise throws with <see cref="RagFoodException.RetryAfter"/>.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private ServerProcess _server = null!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Ingestion__OnStart"] = "false",
            ["Ollama__Url"] = "",
            ["RateLimiting__ExemptLoopback"] = "false",
            ["RateLimiting__PermitsPerSecond"] = "4",
            ["RateLimiting__Burst"] = "1",
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Calls_over_the_rate_succeed_after_the_delay_the_server_asked_for()
    {
        using var client = RagFoodClient.Create(_server.Address.OriginalString, o => o.RateLimitRetries = 5);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("n" + i, (await client.PingAsync("n" + i)).Payload);
        }
    }

    [Fact]
    public async Task Without_retries_the_refusal_carries_the_delay()
    {
        using var client = RagFoodClient.Create(_server.Address.OriginalString, o => o.RateLimitRetries = 0);

        var refusal = await FirstRefusalAsync(client);

        Assert.Equal(StatusCode.ResourceExhausted, refusal.StatusCode);
        Assert.NotNull(refusal.RetryAfter);
        Assert.InRange(refusal.RetryAfter.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_delay_longer_than_the_bound_is_not_waited_for()
    {
        using var client = RagFoodClient.Create(_server.Address.OriginalString, o => o.MaxRateLimitDelay = TimeSpan.Zero);

        var refusal = await FirstRefusalAsync(client);

        Assert.True(refusal.RetryAfter > TimeSpan.Zero);
    }

    private static async Task<RagFoodException> FirstRefusalAsync(RagFoodClient client)
    {
        for (var i = 0; i < 50; i++)
        {
            try
            {
                await client.PingAsync();
            }
            catch (RagFoodException ex)
            {
                return ex;
            }
        }

        throw new InvalidOperationException("The server never refused a call: the rate limit is not in effect.");
    }
}
