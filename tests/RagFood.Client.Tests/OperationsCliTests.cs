using System.Text.Json;
using RagFood.Client.Tests.Support;
using RagFood.Testing;

namespace RagFood.Client.Tests;

/// <summary><c>ragfood usage</c> and <c>ragfood doctor</c> run as processes against the real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class OperationsCliTests(ServerFixture server, AuthServerFixture authServer)
{
    private string Address => server.Address.OriginalString;

    [Fact]
    public async Task Usage_prints_a_row_per_store_with_cost_and_quota()
    {
        var result = await CliRunner.RunAsync("usage", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("projected month", lines[1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("sqlite", StringComparison.Ordinal));
        // The default Upstash plan is listed even before it is used: its free-tier quota is what a cutover runs into.
        Assert.Contains(lines, l => l.StartsWith("upstash", StringComparison.Ordinal) && l.Contains('%', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Usage_with_json_counts_the_calls_this_client_made()
    {
        await CliRunner.RunAsync("query", "rice", "--address", Address);
        var result = await CliRunner.RunAsync("usage", "--json", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var sqlite = json.RootElement.GetProperty("stores").EnumerateArray().Single(s => s.GetProperty("store").GetString() == "sqlite");
        var query = sqlite.GetProperty("today").GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("operation").GetString() == "query");
        Assert.True(long.Parse(query.GetProperty("calls").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public async Task Doctor_on_the_embedded_default_exits_0_and_suggests_the_ollama_setting()
    {
        var result = await CliRunner.RunAsync("doctor", "--address", Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("store:sqlite", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("fix: set Ollama:Url = http://127.0.0.1:11434", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("no problems", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_exits_6_and_names_the_fix_when_the_server_cannot_be_reached()
    {
        var address = $"http://127.0.0.1:{ServerProcess.FreePort()}";

        var result = await CliRunner.RunAsync("doctor", "--address", address, "--timeout", "5");

        Assert.Equal(6, result.ExitCode);
        Assert.Contains("PROBLEM", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("fix: pass --address", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_exits_6_when_the_server_refuses_the_missing_key()
    {
        var result = await CliRunner.RunAsync("doctor", "--address", authServer.Address.OriginalString);

        Assert.Equal(6, result.ExitCode);
        Assert.Contains("fix: pass --api-key", result.Stdout, StringComparison.Ordinal);
    }
}
