using RagFood.Contracts.V1;
using RagFood.Server.Tests.Support;
using RagFood.UpstashEmulator;

namespace RagFood.Server.Tests;

/// <summary>CheckSetup (<c>ragfood doctor</c>) on what health probes cost against a daily read quota, and on transfer
/// requests allowed to reach the whole filesystem.</summary>
public sealed class SetupCheckAdditionsTests
{
    [Fact]
    public async Task Probes_that_would_eat_a_quarter_of_upstashs_daily_reads_and_a_filesystem_root_for_transfers_are_warnings_with_their_fix()
    {
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Dimension = 1024, EmbeddingModel = "builtin" });
        await using var server = await ServerHost.StartAsync(ServerHost.OnUpstash(emulator,
            ("Health:ProbeInterval", "00:00:10"),
            ("Migration:AllowedDirectories:0", Path.GetPathRoot(Path.GetTempPath()))));

        var setup = await new OperationsService.OperationsServiceClient(server.Channel).CheckSetupAsync(new CheckSetupRequest());

        var probes = Assert.Single(setup.Findings, f => f.Check == "probes:upstash");
        Assert.Equal(CheckSeverity.Warning, probes.Severity);
        Assert.Contains("8640 reads a day", probes.Message, StringComparison.Ordinal);
        Assert.Equal("Health:ProbeInterval", probes.FixKey);
        Assert.True(TimeSpan.Parse(probes.FixValue, System.Globalization.CultureInfo.InvariantCulture) > TimeSpan.FromMinutes(1), probes.FixValue);
        var paths = Assert.Single(setup.Findings, f => f.Check == "transfer-paths");
        Assert.Equal(CheckSeverity.Warning, paths.Severity);
        Assert.Equal("Migration:AllowedDirectories:0", paths.FixKey);
    }

    [Fact]
    public async Task On_the_embedded_default_neither_is_a_warning()
    {
        await using var server = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Migration:AllowedDirectories:0"] = null });

        var setup = await new OperationsService.OperationsServiceClient(server.Channel).CheckSetupAsync(new CheckSetupRequest());

        Assert.DoesNotContain(setup.Findings, f => f.Check.StartsWith("probes:", StringComparison.Ordinal));
        var paths = Assert.Single(setup.Findings, f => f.Check == "transfer-paths");
        Assert.Equal(CheckSeverity.Ok, paths.Severity);
        Assert.Contains(server.Directory, paths.Message, StringComparison.Ordinal);
    }
}
