using Microsoft.Extensions.Diagnostics.HealthChecks;
using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests;

/// <summary>Usage accounting (the Usage RPC, Info's usage section, persistence, quota health) and the CheckSetup RPC behind
/// <c>ragfood doctor</c>, over real gRPC.</summary>
public sealed class UsageAndSetupTests
{
    [Fact]
    public async Task Upstash_calls_are_counted_as_the_emulator_received_them_and_priced()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Upstash",
            ["VectorStore:Upstash:Url"] = emulator.Url,
            ["VectorStore:Upstash:Token"] = emulator.Token,
        });
        await server.WaitForIngestionAsync();

        for (var i = 0; i < 3; i++)
        {
            await server.Rag.AskAsync(new AskRequest { Question = "Which rice dish is cooked with saffron?" });
        }

        var usage = await new OperationsService.OperationsServiceClient(server.Channel).UsageAsync(new UsageRequest());

        var upstash = Assert.Single(usage.Stores, s => s.Store == "upstash");
        var queries = upstash.Today.Operations.Single(o => o.Operation == "query");
        Assert.Equal(emulator.Admin.Stats.For("query-data"), queries.Calls);
        Assert.Equal(emulator.Admin.Stats.For("upsert-data"), upstash.Today.Operations.Single(o => o.Operation == "upsert").Calls);
        Assert.Equal(10_000, upstash.DailyReadLimit);
        Assert.Equal(QuotaState.Ok, upstash.QuotaState);
        var expectedCost = (upstash.Today.Reads * 0.20 + upstash.Today.Writes * 2.00) / 1_000_000;
        Assert.Equal(expectedCost, upstash.Today.Cost, 9);
        Assert.True(upstash.ProjectedMonthCost >= upstash.Month.Cost);
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), usage.Day);
    }

    [Fact]
    public async Task The_days_figures_survive_a_restart()
    {
        var directory = Directory.CreateTempSubdirectory("ragfood-usage-restart-").FullName;
        try
        {
            long queriesBefore;
            await using (var first = await ServerHost.StartAsync(directory: directory))
            {
                await first.WaitForIngestionAsync();
                for (var i = 0; i < 4; i++)
                {
                    await first.Vector.QueryAsync(new QueryRequest { Text = "lentil stew", TopK = 2 });
                }

                var before = await new OperationsService.OperationsServiceClient(first.Channel).UsageAsync(new UsageRequest());
                queriesBefore = before.Stores.Single(s => s.Store == "sqlite").Today.Operations.Single(o => o.Operation == "query").Calls;
                Assert.Equal(4, queriesBefore);
            }

            await using var second = await ServerHost.StartAsync(directory: directory);
            await second.WaitForIngestionAsync();
            var info = await second.Vector.InfoAsync(new InfoRequest());

            var sqlite = Assert.Single(info.Usage, s => s.Store == "sqlite");
            Assert.Equal(queriesBefore, sqlite.Today.Operations.Single(o => o.Operation == "query").Calls);
            Assert.True(File.Exists(Path.Combine(directory, "data", "ragfood-usage.db")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Cleaned by the OS.
            }
        }
    }

    [Fact]
    public async Task Passing_80_percent_of_a_daily_quota_makes_health_degraded_and_doctor_warn()
    {
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Usage:Plans:sqlite:DailyReadLimit"] = "1000000",
        });
        await server.WaitForIngestionAsync();
        var operations = new OperationsService.OperationsServiceClient(server.Channel);
        var reads = (await operations.UsageAsync(new UsageRequest())).Stores.Single(s => s.Store == "sqlite").Today.Reads;
        Assert.Equal(HealthStatus.Healthy, (await server.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["usage"].Status);

        // Lower the limit so that the reads already made plus a few more pass 80 % (the plan is read at each report).
        var plans = server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RagFood.Core.Usage.UsageOptions>>().Value.Plans;
        plans["sqlite"].DailyReadLimit = reads + 5;
        for (var i = 0; i < 5; i++)
        {
            await server.Vector.QueryAsync(new QueryRequest { Text = "rice", TopK = 1 });
        }

        var health = await server.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var usage = await operations.UsageAsync(new UsageRequest());
        var setup = await operations.CheckSetupAsync(new CheckSetupRequest());

        Assert.Equal(HealthStatus.Degraded, health.Entries["usage"].Status);
        Assert.Contains("sqlite", health.Entries["usage"].Description, StringComparison.Ordinal);
        Assert.NotEqual(QuotaState.Ok, usage.Stores.Single(s => s.Store == "sqlite").QuotaState);
        var quota = Assert.Single(setup.Findings, f => f.Check == "quota:sqlite");
        Assert.NotEqual(CheckSeverity.Ok, quota.Severity);
        Assert.Equal("Usage:Plans:sqlite:DailyReadLimit", quota.FixKey);
    }

    [Fact]
    public async Task CheckSetup_on_the_embedded_default_finds_no_problem_and_says_answers_are_extractive()
    {
        await using var server = await ServerHost.StartAsync();
        await server.WaitForIngestionAsync();

        var setup = await new OperationsService.OperationsServiceClient(server.Channel).CheckSetupAsync(new CheckSetupRequest());

        Assert.DoesNotContain(setup.Findings, f => f.Severity == CheckSeverity.Problem);
        Assert.Equal(CheckSeverity.Ok, setup.Findings.Single(f => f.Check == "store:sqlite").Severity);
        var ollama = setup.Findings.Single(f => f.Check == "ollama");
        Assert.Equal(CheckSeverity.Warning, ollama.Severity);
        Assert.Equal("Ollama:Url", ollama.FixKey);
        Assert.Equal(CheckSeverity.Ok, setup.Findings.Single(f => f.Check == "tls").Severity);
    }

    [Fact]
    public async Task CheckSetup_names_the_token_setting_when_upstash_rejects_the_credentials()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["VectorStore:Provider"] = "Upstash",
            ["VectorStore:Upstash:Url"] = emulator.Url,
            ["VectorStore:Upstash:Token"] = "not-the-token",
            ["Ingestion:OnStart"] = "false",
        });

        var setup = await new OperationsService.OperationsServiceClient(server.Channel).CheckSetupAsync(new CheckSetupRequest());

        var store = Assert.Single(setup.Findings, f => f.Check == "store:upstash");
        Assert.Equal(CheckSeverity.Problem, store.Severity);
        Assert.Equal("VectorStore:Upstash:Token", store.FixKey);
        Assert.DoesNotContain("not-the-token", store.Message, StringComparison.Ordinal);
    }
}
