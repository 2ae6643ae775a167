using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>RAG with no language model configured: answers are extractive, grounded, and say so.</summary>
[Collection(ServerCollection.Name)]
public sealed class RagServiceTests(ServerFixture fixture)
{
    private RagService.RagServiceClient Rag => fixture.Host.Rag;

    [Fact]
    public async Task Ask_without_a_language_model_answers_extractively_from_the_sources()
    {
        var reply = await Rag.AskAsync(new AskRequest { Question = "Which rice dish is cooked with saffron?" });

        Assert.Equal(AnswerMode.Extractive, reply.Mode);
        Assert.Contains("no language model is configured", reply.ModeReason, StringComparison.Ordinal);
        Assert.StartsWith("Extractive answer", reply.Answer, StringComparison.Ordinal);
        Assert.Equal("extractive", reply.Model);
        // Records under the built-in embedder's relevance floor are dropped, so up to top_k (3) sources remain.
        Assert.InRange(reply.Sources.Count, 1, 3);
        Assert.All(reply.Sources, s => Assert.True(s.Score >= reply.RelevanceFloor));
        Assert.True(reply.RelevanceFloor > 0);
        Assert.Equal("biryani", reply.Sources[0].Id);
        Assert.True(reply.Sources[0].HasRawScore);
        Assert.Contains("Biryani is a fragrant layered rice dish cooked with saffron", reply.Answer, StringComparison.Ordinal);
        Assert.DoesNotContain("This food is popular in", reply.Answer, StringComparison.Ordinal);
        Assert.Contains("Sources: [1] biryani", reply.Answer, StringComparison.Ordinal);
        Assert.Equal("India", reply.Sources[0].Metadata.Fields["region"].StringValue);
        Assert.Equal("sqlite", reply.ServedBy);
        Assert.False(reply.FallbackUsed);
        Assert.True(reply.Timings.TotalMs >= reply.Timings.RetrievalMs);
    }

    [Fact]
    public async Task Ask_honours_top_k_and_the_filter()
    {
        var reply = await Rag.AskAsync(new AskRequest { Question = "something sweet", TopK = 5, Filter = "type = 'Dessert'" });

        Assert.InRange(reply.Sources.Count, 1, 5);
        Assert.All(reply.Sources, s => Assert.Equal("Dessert", s.Metadata.Fields["type"].StringValue));
    }

    [Fact]
    public async Task Ask_with_nothing_retrieved_says_so_and_invents_nothing()
    {
        var reply = await Rag.AskAsync(new AskRequest { Question = "What do penguins eat?", Filter = "region = 'Antarctica'" });

        Assert.Equal(AnswerMode.NoContext, reply.Mode);
        Assert.Equal("I found no relevant food in the knowledge base for that question.", reply.Answer);
        Assert.Empty(reply.Sources);
        Assert.Equal("no record in namespace '' passes the filter", reply.ModeReason);
    }

    [Fact]
    public async Task An_off_topic_question_falls_under_the_relevance_floor_and_gets_no_context()
    {
        var reply = await Rag.AskAsync(new AskRequest { Question = "How do I change a flat car tyre?" });

        Assert.Equal(AnswerMode.NoContext, reply.Mode);
        Assert.Empty(reply.Sources);
        Assert.Contains("relevance floor", reply.ModeReason, StringComparison.Ordinal);
        Assert.True(reply.RelevanceFloor > 0.5f, $"floor {reply.RelevanceFloor}");
    }

    [Fact]
    public async Task A_question_naming_a_food_is_answered_from_that_food_alone_with_the_others_listed_as_sources()
    {
        var reply = await Rag.AskAsync(new AskRequest { Question = "What is hummus?" });

        Assert.Equal(AnswerMode.Extractive, reply.Mode);
        Assert.Equal("hummus", reply.Sources[0].Id);
        var lines = reply.Answer.Split('\n');
        Assert.Equal("- Hummus is a creamy spread of chickpeas blended with tahini, lemon juice and garlic.", lines[1]);
        Assert.Equal("", lines[2]);
        Assert.StartsWith("Sources: [1] hummus (", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_in_an_empty_namespace_has_no_context()
    {
        var reply = await Rag.AskAsync(new AskRequest { Question = "What is sushi?", Namespace = "nothing-here" });

        Assert.Equal(AnswerMode.NoContext, reply.Mode);
        Assert.Empty(reply.Sources);
        // A misspelt namespace is the usual cause: the reason names it, so the caller can see the mistake.
        Assert.Contains("namespace 'nothing-here' holds no records", reply.ModeReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskStream_sends_sources_first_then_tokens_then_one_summary()
    {
        var events = await ReadAllAsync(Rag.AskStream(new AskStreamRequest { Question = "mashed avocado dip with lime" }));

        Assert.Equal(AskStreamResponse.EventOneofCase.Sources, events[0].EventCase);
        Assert.Equal("guacamole", events[0].Sources.Sources[0].Id);
        Assert.Equal("sqlite", events[0].Sources.ServedBy);
        Assert.Equal(AskStreamResponse.EventOneofCase.Summary, events[^1].EventCase);
        var tokens = events.Skip(1).SkipLast(1).ToList();
        Assert.True(tokens.Count > 1);
        Assert.All(tokens, e => Assert.Equal(AskStreamResponse.EventOneofCase.Token, e.EventCase));
        Assert.Equal(events[^1].Summary.Answer, string.Concat(tokens.Select(t => t.Token.Text)));
        Assert.Equal(AnswerMode.Extractive, events[^1].Summary.Mode);
        Assert.DoesNotContain("This food is popular in", events[^1].Summary.Answer, StringComparison.Ordinal);
        Assert.Contains("- Guacamole is a dip of mashed avocado", events[^1].Summary.Answer, StringComparison.Ordinal);
        Assert.True(events[^1].Summary.RelevanceFloor > 0);
    }

    [Fact]
    public async Task AskStream_with_nothing_retrieved_streams_the_no_context_answer()
    {
        var events = await ReadAllAsync(Rag.AskStream(new AskStreamRequest { Question = "penguins", Namespace = "nothing-here" }));

        Assert.Empty(events[0].Sources.Sources);
        Assert.Equal(AnswerMode.NoContext, events[^1].Summary.Mode);
        Assert.Equal("I found no relevant food in the knowledge base for that question.", events[^1].Summary.Answer);
    }

    internal static async Task<List<AskStreamResponse>> ReadAllAsync(global::Grpc.Core.AsyncServerStreamingCall<AskStreamResponse> call)
    {
        using (call)
        {
            var events = new List<AskStreamResponse>();
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                events.Add(call.ResponseStream.Current);
            }

            return events;
        }
    }
}
