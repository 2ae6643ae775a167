using Grpc.Core;
using RagFood.Client.Tests.Support;

namespace RagFood.Client.Tests;

/// <summary>The API key travels as <c>authorization: Bearer</c> and a refusal is a typed Unauthenticated error.</summary>
[Collection(ServerCollection.Name)]
public sealed class AuthenticationTests(AuthServerFixture fixture)
{
    [Fact]
    public async Task A_client_with_the_right_key_is_served()
    {
        using var client = RagFoodClient.Create(fixture.Address.OriginalString, o => o.ApiKey = AuthServerFixture.ApiKey);

        var info = await client.InfoAsync();

        Assert.Equal("sqlite", info.Store);
    }

    [Fact]
    public async Task A_client_without_a_key_gets_Unauthenticated()
    {
        using var client = RagFoodClient.Create(fixture.Address.OriginalString);

        var ex = await Assert.ThrowsAsync<RagFoodException>(() => client.PingAsync());

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task A_wrong_key_gets_Unauthenticated_and_the_key_appears_in_no_message()
    {
        const string wrong = "not-the-key-91ab";
        using var client = RagFoodClient.Create(fixture.Address.OriginalString, o => o.ApiKey = wrong);

        var ex = await Assert.ThrowsAsync<RagFoodException>(() => client.InfoAsync());

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.DoesNotContain(wrong, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streaming_calls_carry_the_key_too()
    {
        using var client = RagFoodClient.Create(fixture.Address.OriginalString, o => o.ApiKey = AuthServerFixture.ApiKey);
        var events = new List<AnswerEvent>();

        // Streams carry the key as well: the server has no corpus, so the answer says there is no context.
        await foreach (var item in client.AskStreamAsync("anything about rice?"))
        {
            events.Add(item);
        }

        Assert.IsType<AnswerSummaryEvent>(events[^1]);
    }
}
