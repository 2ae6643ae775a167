// Composition root: wiring only. The server issue fills this in.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddGrpc();
var app = builder.Build();
app.Run();

/// <summary>Entry point, visible to in-process tests.</summary>
public partial class Program;
