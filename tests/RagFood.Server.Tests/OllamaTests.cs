using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using RagFood.Contracts.V1;
using RagFood.Server.Composition;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>The Ollama path through OllamaSharp against a stand-in that speaks Ollama's documented API.</summary>
/// <remarks>The shared server allows Ollama 8 s: generous for a loaded CI machine, short enough for the slow-model tests.</remarks>
public sealed class OllamaTests : IAsyncLifetime
{
    private OllamaStandIn _ollama = null!;
    private ServerHost _server = null!;

    public async Task InitializeAsync()
    {
        _ollama = await OllamaStandIn.StartAsync();
        _server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ollama:Url"] = _ollama.Address.ToString(),
            ["Ollama:Timeout"] = "00:00:08",
        });
        await _server.WaitForIngestionAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _ollama.DisposeAsync();
    }

    [Fact]
    public async Task Ask_returns_the_models_answer_grounded_in_the_retrieved_records()
    {
        var reply = await _server.Rag.AskAsync(new AskRequest { Question = "Which rice dish is cooked with saffron?" });

        Assert.Equal(AnswerMode.Generated, reply.Mode);
        Assert.Equal(OllamaStandIn.Answer, reply.Answer);
        Assert.Equal("llama3.2:1b", reply.Model);
        Assert.Equal("", reply.ModeReason);
        Assert.Equal("biryani", reply.Sources[0].Id);
        var prompt = _ollama.ChatRequests.Last()["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();
        Assert.Contains("Which rice dish is cooked with saffron?", prompt, StringComparison.Ordinal);
        Assert.Contains(reply.Sources[0].Text, prompt, StringComparison.Ordinal);
        Assert.Equal("llama3.2:1b", _ollama.ChatRequests.Last()["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_start_up_probe_reads_ollamas_version_and_finds_the_chat_model_pulled()
    {
        var probe = await _server.Services.GetRequiredService<OllamaProbeStatus>().Result.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(probe.Reachable);
        Assert.Equal("0.6.8", probe.Version);
        Assert.Empty(probe.MissingModels);
        Assert.Contains("GET /api/version", _ollama.Requests);
        Assert.Contains("GET /api/tags", _ollama.Requests);
    }

    [Fact]
    public async Task The_start_up_probe_names_a_model_that_is_not_pulled()
    {
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ollama:Url"] = _ollama.Address.ToString(),
            ["Ollama:ChatModel"] = "qwen2.5:0.5b",
            ["Ingestion:OnStart"] = "false",
        });

        var probe = await server.Services.GetRequiredService<OllamaProbeStatus>().Result.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(probe.Reachable);
        Assert.Equal(["qwen2.5:0.5b"], probe.MissingModels);
    }

    [Fact]
    public async Task AskStream_streams_the_models_tokens_after_the_sources()
    {
        var events = await RagServiceTests.ReadAllAsync(_server.Rag.AskStream(new AskStreamRequest { Question = "mashed avocado dip" }));

        Assert.Equal(AskStreamResponse.EventOneofCase.Sources, events[0].EventCase);
        var tokens = events.Skip(1).SkipLast(1).Select(e => e.Token.Text).ToList();
        Assert.Equal(OllamaStandIn.Answer.Split(' ').Length, tokens.Count);
        Assert.Equal(OllamaStandIn.Answer, string.Concat(tokens).Trim());
        Assert.Equal(AnswerMode.Generated, events[^1].Summary.Mode);
        Assert.Equal(OllamaStandIn.Answer, events[^1].Summary.Answer);
        Assert.Equal("llama3.2:1b", events[^1].Summary.Model);
    }

    [Fact]
    public async Task A_slow_model_gives_an_extractive_answer_with_the_reason()
    {
        var reply = await _server.Rag.AskAsync(new AskRequest { Question = $"{OllamaStandIn.SlowMarker} which rice dish uses saffron?" });

        Assert.Equal(AnswerMode.Extractive, reply.Mode);
        Assert.Contains("did not answer within 8s", reply.ModeReason, StringComparison.Ordinal);
        Assert.Contains(_ollama.Address.Authority, reply.ModeReason, StringComparison.Ordinal);
        Assert.Contains(reply.ModeReason, reply.Answer, StringComparison.Ordinal);
        Assert.Equal("extractive", reply.Model);
        Assert.NotEmpty(reply.Sources);
    }

    [Fact]
    public async Task A_slow_model_in_a_stream_falls_back_to_extractive_tokens()
    {
        var events = await RagServiceTests.ReadAllAsync(_server.Rag.AskStream(new AskStreamRequest { Question = $"{OllamaStandIn.SlowMarker} a stew of lentils with turmeric and cumin" }));

        Assert.Equal(AnswerMode.Extractive, events[^1].Summary.Mode);
        Assert.Contains("did not answer within 8s", events[^1].Summary.ModeReason, StringComparison.Ordinal);
        Assert.Equal(events[^1].Summary.Answer, string.Concat(events.Skip(1).SkipLast(1).Select(e => e.Token.Text)));
    }

    [Fact]
    public async Task The_callers_deadline_ends_the_call_and_the_server_keeps_serving()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.Rag.AskAsync(
            new AskRequest { Question = $"{OllamaStandIn.SlowMarker} which rice dish is cooked with saffron?" }, deadline: DateTime.UtcNow.AddMilliseconds(500)).ResponseAsync);
        var after = await _server.Rag.AskAsync(new AskRequest { Question = "rice with saffron" });

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(AnswerMode.Generated, after.Mode);
    }

    [Fact]
    public async Task The_callers_deadline_reaches_the_request_to_ollama()
    {
        // Ollama's own timeout is far away, so only the caller's deadline can end the chat request.
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ollama:Url"] = _ollama.Address.ToString(),
            ["Ollama:Timeout"] = "00:10:00",
        });
        await server.WaitForIngestionAsync();
        var abortedBefore = _ollama.AbortedChats;

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Rag.AskAsync(
            new AskRequest { Question = $"{OllamaStandIn.SlowMarker} which rice dish is cooked with saffron?" }, deadline: DateTime.UtcNow.AddSeconds(1)).ResponseAsync);
        var waited = 0;
        while (_ollama.AbortedChats == abortedBefore && waited++ < 300)
        {
            await Task.Delay(100);
        }

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(_ollama.AbortedChats > abortedBefore, "the chat request to Ollama was not cancelled with the call");
    }

    [Fact]
    public async Task An_unreachable_ollama_gives_an_extractive_answer_with_the_reason()
    {
        var deadUrl = $"http://127.0.0.1:{FreePort()}";
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Ollama:Url"] = deadUrl });
        await server.WaitForIngestionAsync();

        var reply = await server.Rag.AskAsync(new AskRequest { Question = "Which rice dish is cooked with saffron?" });

        Assert.Equal(AnswerMode.Extractive, reply.Mode);
        Assert.Contains("unreachable", reply.ModeReason, StringComparison.Ordinal);
        Assert.Contains(deadUrl, reply.ModeReason, StringComparison.Ordinal);
        Assert.Equal("biryani", reply.Sources[0].Id);
        var probe = await server.Services.GetRequiredService<OllamaProbeStatus>().Result.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(probe.Reachable);
    }

    [Fact]
    public async Task Embeddings_can_come_from_ollama()
    {
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ollama:Url"] = _ollama.Address.ToString(),
            ["Embeddings:Provider"] = "Ollama",
        });
        var status = await server.WaitForIngestionAsync();

        var reply = await server.Vector.QueryAsync(new QueryRequest { Text = "lentil stew with turmeric", TopK = 1 });
        var info = await server.Vector.InfoAsync(new InfoRequest());

        Assert.Equal(TestCorpus.Count, status.Outcome!.Written);
        Assert.Contains("POST /api/embed", _ollama.Requests);
        Assert.Equal("dal", reply.Matches.Single().Id);
        Assert.Equal(OllamaStandIn.EmbeddingDimension, info.Dimension);
        Assert.Contains("mxbai-embed-large", info.EmbeddingModel, StringComparison.Ordinal);
        var probe = await server.Services.GetRequiredService<OllamaProbeStatus>().Result.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(probe.MissingModels);
    }

    [Fact]
    public async Task Ollama_embeddings_that_are_unreachable_make_queries_unavailable()
    {
        var deadUrl = $"http://127.0.0.1:{FreePort()}";
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Ollama:Url"] = deadUrl,
            ["Embeddings:Provider"] = "Ollama",
            ["Ingestion:OnStart"] = "false",
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Vector.QueryAsync(new QueryRequest { Text = "rice" }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains(deadUrl, error.Status.Detail, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
