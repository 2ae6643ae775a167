// Composition root: wiring only. The Add…/Map… methods live in RagFoodServerExtensions.cs and Composition/.
using RagFood.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddRagFoodServer();

var app = builder.Build();
app.MapRagFoodServer();
app.Run();

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
