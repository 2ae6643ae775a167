using System.Text.Json;
using RagFood.Client.Tests.Support;
using RagFood.Testing;

namespace RagFood.Client.Tests;

/// <summary>The <c>ragfood</c> CLI run as a process against the real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class CliTests(ServerFixture server, AuthServerFixture authServer)
{
    private string Address => server.Address.OriginalString;

    [Fact]
    public async Task Ping_prints_pong_and_exits_0()
    {
        var result = await CliRunner.RunAsync("ping", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("pong from", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_address_can_come_from_RAGFOOD_ADDRESS()
    {
        var result = await CliRunner.RunAsync(["ping"], environment: new Dictionary<string, string> { ["RAGFOOD_ADDRESS"] = Address });

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Query_with_json_writes_matches_a_script_can_parse()
    {
        var result = await CliRunner.RunAsync("query", "crispy", "buttery", "pastry", "--top-k", "2", "--json", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var matches = json.RootElement.GetProperty("matches");
        Assert.Equal(2, matches.GetArrayLength());
        Assert.Equal("7", matches[0].GetProperty("id").GetString());
        Assert.InRange(matches[0].GetProperty("score").GetDouble(), 0, 1);
        Assert.Equal("sqlite", json.RootElement.GetProperty("servedBy").GetString());
    }

    [Fact]
    public async Task Query_prints_a_table_for_people()
    {
        var result = await CliRunner.RunAsync("query", "avocado dip", "--filter", "region = 'Mexico'", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("#", lines[0], StringComparison.Ordinal);
        Assert.Contains("score", lines[0], StringComparison.Ordinal);
        Assert.Contains(" 6 ", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain("Japan", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_filter_exits_2_with_the_servers_message()
    {
        var result = await CliRunner.RunAsync("query", "rice", "--filter", "region = = 'India'", "--address", Address);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ragfood: invalid argument: ", line, StringComparison.Ordinal);
        Assert.True(line.Length > "ragfood: invalid argument: ".Length + 5, line);
    }

    [Fact]
    public async Task A_top_k_out_of_range_exits_2()
    {
        var result = await CliRunner.RunAsync("query", "rice", "--top-k", "5000", "--address", Address);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("invalid argument", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_exits_3_with_one_line_naming_the_address()
    {
        var address = $"http://127.0.0.1:{ServerProcess.FreePort()}";

        var result = await CliRunner.RunAsync("info", "--address", address);

        Assert.Equal(3, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"ragfood: cannot reach RagFood at {address}: is the server running?", line, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_malformed_address_exits_1()
    {
        var result = await CliRunner.RunAsync("info", "--address", "localhost-without-scheme");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("invalid --address", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_usage_error_exits_1()
    {
        var result = await CliRunner.RunAsync("query", "--address", Address);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("exactly one of <text> and --vector", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--timeout")]
    [InlineData("--batch-size")]
    public async Task A_number_option_given_text_is_a_usage_error_naming_the_option_not_a_crash(string option)
    {
        // Both options have range validators; a value that does not convert used to throw inside them (exit 134, stack trace).
        var result = await CliRunner.RunAsync("ingest", "foods.json", option, "abc", "--address", Address);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"Cannot parse argument 'abc' for option '{option}'", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_requires_a_key_exits_4_without_one_and_0_with_it()
    {
        var without = await CliRunner.RunAsync("info", "--address", authServer.Address.OriginalString);
        var withKey = await CliRunner.RunAsync(["info", "--address", authServer.Address.OriginalString],
            environment: new Dictionary<string, string> { ["RAGFOOD_API_KEY"] = AuthServerFixture.ApiKey });

        Assert.Equal(4, without.ExitCode);
        Assert.Contains("requires an API key", without.Stderr, StringComparison.Ordinal);
        Assert.True(withKey.ExitCode == 0, withKey.ToString());
    }

    [Fact]
    public async Task Info_with_json_reports_the_store()
    {
        var result = await CliRunner.RunAsync("info", "--json", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("sqlite", json.RootElement.GetProperty("store").GetString());
        Assert.True(json.RootElement.GetProperty("dimension").GetInt32() > 0);
    }

    [Fact]
    public async Task Ask_prints_the_answer_and_its_sources_with_scores()
    {
        var result = await CliRunner.RunAsync("ask", "what", "is", "baklava?", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Sources (sqlite", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"1\. \[0\.\d{3}\] 10: ", result.Stdout);
    }

    [Fact]
    public async Task Chat_reads_questions_from_a_pipe_answers_each_without_prompts_and_stops_at_exit()
    {
        const string input = "What is mochi?\n\nTell me about pad thai\nexit\nWhat is biryani?\n";

        var result = await CliRunner.RunAsync(["chat", "--top-k", "1", "--address", Address], stdin: input);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("You:", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("RagFood chat", result.Stdout, StringComparison.Ordinal);
        var sources = result.Stdout.Split('\n').Where(l => l.TrimStart().StartsWith("1. [", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, sources.Count);
        Assert.Contains("] 4: ", sources[0], StringComparison.Ordinal);
        Assert.Contains("] 9: ", sources[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_with_json_writes_one_response_per_line()
    {
        var result = await CliRunner.RunAsync(["chat", "--json", "--address", Address], stdin: "What is guacamole?\nWhat is a croissant?\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("answer").GetString()));
        }
    }

    [Fact]
    public async Task Chat_reports_a_rejected_question_and_goes_on_to_the_next()
    {
        var tooLong = new string('x', 2500);

        var result = await CliRunner.RunAsync(["chat", "--address", Address], stdin: tooLong + "\nWhat is sushi?\n");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ragfood: invalid argument:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("] 3: ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_of_a_mixed_file_writes_the_usable_items_lists_the_others_and_exits_2()
    {
        var ns = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var file = Path.Combine(AppContext.BaseDirectory, "TestData", "mixed.json");

        var result = await CliRunner.RunAsync("ingest", file, "--namespace", ns, "--address", Address);
        var again = await CliRunner.RunAsync("ingest", file, "--namespace", ns, "--json", "--address", Address);
        var fetched = await CliRunner.RunAsync("fetch", "mx-2", "--namespace", ns, "--json", "--address", Address);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("5 item(s) from mixed.json: 3 written, 0 unchanged, 2 rejected", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("not a JSON object", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("mx-4", result.Stdout, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(again.Stdout);
        Assert.Equal(0, json.RootElement.GetProperty("written").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("unchanged").GetInt32());
        Assert.Equal([2, 3], json.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("index").GetInt32()).ToArray());

        Assert.True(fetched.ExitCode == 0, fetched.ToString());
        using var record = JsonDocument.Parse(fetched.Stdout);
        Assert.Contains("Paella", record.RootElement.GetProperty("results")[0].GetProperty("record").GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_of_a_missing_file_exits_2()
    {
        var result = await CliRunner.RunAsync("ingest", Path.Combine(Path.GetTempPath(), "no-such-file-" + Guid.NewGuid().ToString("N") + ".json"), "--address", Address);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot read", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_and_delete_work_on_ingested_records_and_fetch_of_an_unknown_id_exits_5()
    {
        var ns = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var file = Path.Combine(AppContext.BaseDirectory, "TestData", "foods.json");
        var ingest = await CliRunner.RunAsync("ingest", file, "--namespace", ns, "--address", Address);

        var fetch = await CliRunner.RunAsync("fetch", "1", "2", "--namespace", ns, "--address", Address);
        var delete = await CliRunner.RunAsync("delete", "--filter", "region = 'India'", "--namespace", ns, "--address", Address);
        var fetchAfter = await CliRunner.RunAsync("fetch", "1", "--namespace", ns, "--address", Address);

        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        Assert.True(fetch.ExitCode == 0, fetch.ToString());
        Assert.Contains("Biryani", fetch.Stdout, StringComparison.Ordinal);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Contains("deleted 2 record(s)", delete.Stdout, StringComparison.Ordinal);
        Assert.Equal(5, fetchAfter.ExitCode);
    }
}
