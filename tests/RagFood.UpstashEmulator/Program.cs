// Runs the Upstash Vector emulator by hand, e.g.
//   dotnet run --project tests/RagFood.UpstashEmulator -- --urls http://127.0.0.1:8787 --Emulator:Dimension 1024 --Emulator:EmbeddingModel builtin
await RagFood.UpstashEmulator.EmulatorHost.RunAsync(args);
