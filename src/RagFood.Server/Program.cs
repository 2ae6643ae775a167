// Composition root: wiring only. The Add…/Map… methods live in RagFoodServerExtensions.cs and Composition/.
using RagFood.Server;

var builder = WebApplication.CreateBuilder(args);
WebApplication app;
try
{
    builder.AddRagFoodServer();
    app = builder.Build();
    app.MapRagFoodServer();
    await app.StartAsync();
}
catch (Exception ex) when (StartupFailure.IsSetupError(ex))
{
    // A setting that cannot be used: one line naming it and exit 1, not an unhandled exception (stack trace, abort).
    await Console.Error.WriteLineAsync(StartupFailure.Describe(ex));
    return 1;
}

await using (app)
{
    await app.WaitForShutdownAsync();
}

return 0;

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
