using System.Text.Json;
using RagFood.UpstashEmulator;
using static RagFood.Providers.Tests.Upstash.UpstashTestHost;

namespace RagFood.Providers.Tests.Upstash;

/// <summary>The emulator's wire behaviour, checked with a raw HttpClient against the expectations the official
/// SDK test suites encode (see the wire specification): envelopes, field presence, ids, cursors, namespaces, errors.</summary>
public sealed class UpstashEmulatorWireTests : IAsyncLifetime
{
    private RunningEmulator _emulator = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 2 });
        _client = RawClient(_emulator);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task Numeric_ids_are_stored_as_strings_and_match_numeric_and_string_lookups()
    {
        await ResultAsync(_client, "upsert", """{"id":33,"vector":[0.1,0.2]}""");

        var query = await ResultAsync(_client, "query", """{"vector":[0.1,0.2],"topK":1}""");
        var fetched = await ResultAsync(_client, "fetch", """{"ids":[33,"33"]}""");

        Assert.Equal("33", query[0].GetProperty("id").GetString());
        Assert.Equal("33", fetched[0].GetProperty("id").GetString());
        Assert.Equal("33", fetched[1].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Absent_fields_are_omitted_never_null_and_vectors_print_as_the_floats_sent()
    {
        await ResultAsync(_client, "upsert", """[{"id":"bare","vector":[0.1,0.2]},{"id":"full","vector":[0.3,0.7],"metadata":{"k":"v"},"data":"text"}]""");

        var (_, none) = await PostAsync(_client, "fetch", """{"ids":["bare","full"]}""");
        var (_, all) = await PostAsync(_client, "fetch", """{"ids":["bare","full"],"includeVectors":true,"includeMetadata":true,"includeData":true}""");
        var (_, scores) = await PostAsync(_client, "query", """{"vector":[0.1,0.2],"topK":2,"includeMetadata":true}""");

        Assert.Equal("""{"result":[{"id":"bare"},{"id":"full"}]}""", none.GetRawText());
        Assert.Equal("""{"result":[{"id":"bare","vector":[0.1,0.2]},{"id":"full","vector":[0.3,0.7],"metadata":{"k":"v"},"data":"text"}]}""", all.GetRawText());
        var first = scores.GetProperty("result")[0];
        Assert.Equal(["id", "score"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("1", first.GetProperty("score").GetRawText());
    }

    [Fact]
    public async Task A_batch_of_one_query_answers_flat_and_a_larger_batch_answers_nested()
    {
        await ResultAsync(_client, "upsert", """[{"id":"x","vector":[1,0]},{"id":"y","vector":[0,1]}]""");

        var one = await ResultAsync(_client, "query", """[{"vector":[1,0],"topK":1}]""");
        var many = await ResultAsync(_client, "query", """[{"vector":[1,0],"topK":1},{"vector":[0,1],"topK":2},{"vector":[1,1],"topK":1}]""");
        var empty = await ResultAsync(_client, "query", "[]");

        Assert.Equal("x", one[0].GetProperty("id").GetString());
        Assert.Equal(3, many.GetArrayLength());
        Assert.Equal("x", many[0][0].GetProperty("id").GetString());
        Assert.Equal(["y", "x"], many[1].EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(1, many[2].GetArrayLength());
        Assert.Equal(0, empty.GetArrayLength());
    }

    [Fact]
    public async Task Range_pages_in_insertion_order_and_the_cursor_is_empty_exactly_at_the_end()
    {
        var records = string.Join(",", Enumerable.Range(0, 20).Select(i => $$"""{"id":"id-{{i}}","vector":[{{i + 1}},1]}"""));
        await ResultAsync(_client, "upsert/paging", $"[{records}]");

        var first = await ResultAsync(_client, "range/paging", """{"cursor":0,"limit":4}""");
        var second = await ResultAsync(_client, "range/paging", $$"""{"cursor":"{{first.GetProperty("nextCursor").GetString()}}","limit":8}""");
        var third = await ResultAsync(_client, "range/paging", $$"""{"cursor":"{{second.GetProperty("nextCursor").GetString()}}","limit":8}""");

        Assert.Equal(["id-0", "id-1", "id-2", "id-3"], first.GetProperty("vectors").EnumerateArray().Select(v => v.GetProperty("id").GetString()));
        Assert.Equal(8, third.GetProperty("vectors").GetArrayLength());
        Assert.Equal("", third.GetProperty("nextCursor").GetString());
        Assert.Equal("id-19", third.GetProperty("vectors")[7].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Range_with_a_prefix_ends_with_an_empty_cursor_on_a_full_last_page()
    {
        await ResultAsync(_client, "upsert/prefixed", """[{"id":"a-1","vector":[1,1]},{"id":"b-1","vector":[1,1]},{"id":"a-2","vector":[1,1]},{"id":"a-3","vector":[1,1]},{"id":"a-4","vector":[1,1]},{"id":"b-2","vector":[1,1]}]""");

        var first = await ResultAsync(_client, "range/prefixed", """{"cursor":"","limit":2,"prefix":"a-"}""");
        var second = await ResultAsync(_client, "range/prefixed", $$"""{"cursor":"{{first.GetProperty("nextCursor").GetString()}}","limit":2,"prefix":"a-"}""");

        Assert.NotEqual("", first.GetProperty("nextCursor").GetString());
        Assert.Equal(["a-3", "a-4"], second.GetProperty("vectors").EnumerateArray().Select(v => v.GetProperty("id").GetString()));
        Assert.Equal("", second.GetProperty("nextCursor").GetString());
    }

    [Fact]
    public async Task After_a_reset_the_first_page_of_five_has_cursor_five()
    {
        await ResultAsync(_client, "upsert/r", """[{"id":"old","vector":[1,1]}]""");
        await ResultAsync(_client, "reset/r", null);
        var records = string.Join(",", Enumerable.Range(0, 8).Select(i => $$"""{"id":"n{{i}}","vector":[1,{{i}}]}"""));
        await ResultAsync(_client, "upsert/r", $"[{records}]");

        var page = await ResultAsync(_client, "range/r", """{"cursor":0,"limit":5}""");

        Assert.Equal("5", page.GetProperty("nextCursor").GetString());
    }

    [Fact]
    public async Task Overwriting_a_record_keeps_its_place_in_the_range_order()
    {
        await ResultAsync(_client, "upsert/o", """[{"id":"first","vector":[1,1]},{"id":"second","vector":[1,1]}]""");
        await ResultAsync(_client, "upsert/o", """{"id":"first","vector":[2,2],"data":"new"}""");

        var page = await ResultAsync(_client, "range/o", """{"cursor":"0","limit":10,"includeData":true}""");

        Assert.Equal(["first", "second"], page.GetProperty("vectors").EnumerateArray().Select(v => v.GetProperty("id").GetString()));
        Assert.Equal("new", page.GetProperty("vectors")[0].GetProperty("data").GetString());
    }

    [Fact]
    public async Task Namespaces_appear_on_first_upsert_survive_reset_and_disappear_when_deleted()
    {
        await ResultAsync(_client, "query/ghost", """{"vector":[1,1]}""");
        await ResultAsync(_client, "reset/ghost", "");
        Assert.Equal([""], (await ResultAsync(_client, "list-namespaces", null)).EnumerateArray().Select(e => e.GetString()));

        await ResultAsync(_client, "upsert/ns-1", """{"id":"a","vector":[1,1]}""");
        await ResultAsync(_client, "reset?all", null);
        var info = await ResultAsync(_client, "info", null);
        Assert.Equal(0, info.GetProperty("namespaces").GetProperty("ns-1").GetProperty("vectorCount").GetInt32());
        Assert.Equal(["", "ns-1"], (await ResultAsync(_client, "list-namespaces", "[]")).EnumerateArray().Select(e => e.GetString()));

        Assert.Equal("Success", (await ResultAsync(_client, "delete-namespace/ns-1", null)).GetString());
        var (status, body) = await PostAsync(_client, "delete-namespace/ns-1", null);
        Assert.Equal(404, status);
        Assert.Equal("Namespace ns-1 for the index ragfood-emulator does not exist", body.GetProperty("error").GetString());
        Assert.Equal(404, body.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Info_has_the_fields_the_sdks_read_with_an_empty_model_name_when_there_is_no_model()
    {
        var info = await ResultAsync(_client, "info", "null");

        foreach (var key in new[] { "vectorCount", "pendingVectorCount", "indexSize", "dimension", "similarityFunction", "namespaces" })
        {
            Assert.True(info.TryGetProperty(key, out _), key);
        }

        Assert.Equal("", info.GetProperty("denseIndex").GetProperty("embeddingModel").GetString());
        Assert.Equal("COSINE", info.GetProperty("denseIndex").GetProperty("similarityFunction").GetString());
        Assert.False(info.TryGetProperty("sparseIndex", out _));
        Assert.True(info.GetProperty("namespaces").TryGetProperty("", out _));
    }

    [Theory]
    [InlineData("GET", null)]
    [InlineData("POST", "")]
    [InlineData("PUT", "null")]
    [InlineData("DELETE", "[]")]
    [InlineData("POST", "{}")]
    public async Task Argument_less_endpoints_accept_any_method_and_empty_bodies(string method, string? body)
    {
        var (status, response) = await PostAsync(_client, "list-namespaces", body, new HttpMethod(method));

        Assert.Equal(200, status);
        Assert.Equal(JsonValueKind.Array, response.GetProperty("result").ValueKind);
    }

    [Theory]
    [InlineData("fetch", """{"ids":["a"],"prefix":"a"}""", "Only one of ids or prefix must be provided.")]
    [InlineData("delete", """{"ids":["a"],"prefix":"a"}""", "Only and only one of the ids, prefix, or filter must be provided.")]
    [InlineData("delete", """{"prefix":"a","filter":"x = 1"}""", "Only and only one of the ids, prefix, or filter must be provided.")]
    [InlineData("upsert", """{"id":"a","vector":[1,2,3]}""", "Invalid vector dimension: 3, expected: 2")]
    [InlineData("query", """{"vector":[1],"topK":1}""", "Invalid vector dimension: 1, expected: 2")]
    [InlineData("upsert-data", """{"id":"a","data":"text"}""", "Embedding data for this index is not allowed. The index must be created with an embedding model to use it.")]
    [InlineData("query-data", """{"data":"text"}""", "Embedding data for this index is not allowed. The index must be created with an embedding model to use it.")]
    public async Task Invalid_requests_answer_upstashs_error_texts(string endpoint, string body, string message)
    {
        var (status, response) = await PostAsync(_client, endpoint, body);

        Assert.InRange(status, 400, 499);
        Assert.Equal(message, response.GetProperty("error").GetString());
        Assert.Equal(status, response.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_mixed_batch_on_upsert_is_rejected_whole()
    {
        var (status, _) = await PostAsync(_client, "upsert/mixed", """[{"id":"v","vector":[1,1]},{"id":"d","data":"only data"}]""");

        Assert.Equal(422, status);
        Assert.Equal(0, (await ResultAsync(_client, "info", null)).GetProperty("vectorCount").GetInt32());
    }

    [Fact]
    public async Task A_bad_filter_is_a_400_envelope()
    {
        var (status, body) = await PostAsync(_client, "query", """{"vector":[1,1],"filter":"price >> 3"}""");

        Assert.Equal(400, status);
        Assert.StartsWith("Invalid filter", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_counts_what_it_removed_and_accepts_the_legacy_bodies()
    {
        await ResultAsync(_client, "upsert", """[{"id":"a","vector":[1,1]},{"id":"b","vector":[1,1]},{"id":"c","vector":[1,1]},{"id":"d","vector":[1,1],"metadata":{"n":1}}]""");

        Assert.Equal(1, (await ResultAsync(_client, "delete", """{"ids":["a","zz"]}""")).GetProperty("deleted").GetInt32());
        Assert.Equal(0, (await ResultAsync(_client, "delete", """{"ids":["a"]}""")).GetProperty("deleted").GetInt32());
        Assert.Equal(1, (await ResultAsync(_client, "delete", """["b"]""")).GetProperty("deleted").GetInt32());
        Assert.Equal(1, (await ResultAsync(_client, "delete", "c")).GetProperty("deleted").GetInt32());
        Assert.Equal(1, (await ResultAsync(_client, "delete", """{"filter":"n = 1"}""")).GetProperty("deleted").GetInt32());
    }

    [Fact]
    public async Task Unknown_paths_and_bad_tokens_still_answer_a_json_envelope()
    {
        using var anonymous = new HttpClient { BaseAddress = _client.BaseAddress };

        var (unknownStatus, unknown) = await PostAsync(_client, "no-such-endpoint", "{}");
        var (authStatus, auth) = await PostAsync(anonymous, "info", null);
        var (methodStatus, method) = await PostAsync(_client, "info", null, HttpMethod.Patch);

        Assert.Equal(404, unknownStatus);
        Assert.True(unknown.TryGetProperty("error", out _));
        Assert.Equal(401, authStatus);
        Assert.Equal("Unauthorized: Invalid auth token", auth.GetProperty("error").GetString());
        Assert.Equal(405, methodStatus);
        Assert.True(method.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task A_read_only_token_reads_but_its_writes_answer_401()
    {
        using var readOnly = RawClient(_emulator, _emulator.ReadOnlyToken);

        var (readStatus, _) = await PostAsync(readOnly, "info", null);
        var (writeStatus, write) = await PostAsync(readOnly, "upsert", """{"id":"a","vector":[1,1]}""");
        var (resetStatus, _) = await PostAsync(readOnly, "reset?all", null);

        Assert.Equal(200, readStatus);
        Assert.Equal(401, writeStatus);
        Assert.StartsWith("Unauthorized", write.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(401, resetStatus);
    }

    [Fact]
    public async Task Update_patches_as_a_merge_patch_overwrites_by_default_and_reports_unknown_ids()
    {
        await ResultAsync(_client, "upsert", """{"id":"u","vector":[1,1],"metadata":{"field1":"a","field2":"b","n":{"x":1}}}""");

        Assert.Equal(1, (await ResultAsync(_client, "update", """{"id":"u","metadata":{"field2":null,"n":{"y":2}},"metadataUpdateMode":"PATCH"}""")).GetProperty("updated").GetInt32());
        var patched = await ResultAsync(_client, "fetch", """{"ids":["u"],"includeMetadata":true}""");
        Assert.Equal("""{"field1":"a","n":{"x":1,"y":2}}""", patched[0].GetProperty("metadata").GetRawText());

        await ResultAsync(_client, "update", """{"id":"u","metadata":{"z":0}}""");
        var overwritten = await ResultAsync(_client, "fetch", """{"ids":["u"],"includeMetadata":true}""");
        Assert.Equal("""{"z":0}""", overwritten[0].GetProperty("metadata").GetRawText());

        Assert.Equal(0, (await ResultAsync(_client, "update", """{"id":"nope","data":"x"}""")).GetProperty("updated").GetInt32());
    }

    [Fact]
    public async Task A_resumable_query_continues_where_it_stopped_and_ends()
    {
        var records = string.Join(",", Enumerable.Range(0, 5).Select(i => $$"""{"id":"r{{i}}","vector":[1,{{i * 0.1}}]}"""));
        await ResultAsync(_client, "upsert", $"[{records}]");

        var start = await ResultAsync(_client, "resumable-query", """{"vector":[1,0],"topK":2,"maxIdle":3600}""");
        var uuid = start.GetProperty("uuid").GetString();
        var next = await ResultAsync(_client, "resumable-query-next", $$"""{"uuid":"{{uuid}}","additionalK":3}""");
        var exhausted = await ResultAsync(_client, "resumable-query-next", $$"""{"uuid":"{{uuid}}","additionalK":3}""");
        var end = await ResultAsync(_client, "resumable-query-end", $$"""{"uuid":"{{uuid}}"}""");
        var (afterEnd, _) = await PostAsync(_client, "resumable-query-next", $$"""{"uuid":"{{uuid}}","additionalK":1}""");
        var missing = await ResultAsync(_client, "resumable-query/ghost", """{"vector":[1,0],"topK":2}""");

        Assert.Equal(["r0", "r1"], start.GetProperty("scores").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(["r2", "r3", "r4"], next.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(0, exhausted.GetArrayLength());
        Assert.Equal("Success", end.GetString());
        Assert.InRange(afterEnd, 400, 499);
        Assert.Equal("", missing.GetProperty("uuid").GetString());
    }

    [Fact]
    public async Task Admin_endpoints_inject_faults_count_requests_and_reset_the_quota()
    {
        using var admin = new HttpClient { BaseAddress = _client.BaseAddress };
        await PostAsync(admin, "__admin/stats/reset", null);

        await PostAsync(admin, "__admin/faults", """{"rate503":1}""");
        var (failed, _) = await PostAsync(_client, "info", null);
        await PostAsync(admin, "__admin/faults", """{"rate503":0,"dailyQuota":1}""");
        await PostAsync(admin, "__admin/reset-quota", null);
        var (allowed, _) = await PostAsync(_client, "info", null);
        var (refused, refusal) = await PostAsync(_client, "info", null);
        await PostAsync(admin, "__admin/reset-quota", null);
        var (again, _) = await PostAsync(_client, "info", null);
        var stats = (await PostAsync(admin, "__admin/stats", null, HttpMethod.Get)).Body.GetProperty("result");

        Assert.Equal(503, failed);
        Assert.Equal(200, allowed);
        Assert.Equal(429, refused);
        Assert.Equal("ERR max daily request limit exceeded. Limit: 1, Usage: 2", refusal.GetProperty("error").GetString());
        Assert.Equal(200, again);
        Assert.Equal(4, stats.GetProperty("requests").GetInt32());
        Assert.Equal(1, stats.GetProperty("injected503").GetInt32());
        Assert.Equal(4, stats.GetProperty("byEndpoint").GetProperty("info").GetInt32());
    }
}
