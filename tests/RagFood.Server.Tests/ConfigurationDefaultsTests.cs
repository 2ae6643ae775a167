using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagFood.Server;

namespace RagFood.Server.Tests;

/// <summary>The server started from a directory without appsettings.json still gets sane settings.</summary>
public sealed class ConfigurationDefaultsTests : IDisposable
{
    private readonly string _emptyContentRoot = Directory.CreateTempSubdirectory("ragfood-defaults-").FullName;

    [Fact]
    public void Without_appsettings_per_request_framework_logs_stay_off_and_the_servers_own_logs_stay_on()
    {
        using var app = Build(overrides: null);
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Grpc.AspNetCore.Server.ServerCallHandler").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("RagFood.Server.Ingestion.StartupIngestionService").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Any_other_configuration_source_overrides_the_defaults()
    {
        using var app = Build(new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug" });
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Debug));
    }

    public void Dispose() => Directory.Delete(_emptyContentRoot, recursive: true);

    private WebApplication Build(Dictionary<string, string?>? overrides)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = _emptyContentRoot });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.AddRagFoodConfigurationDefaults();
        return builder.Build();
    }
}
