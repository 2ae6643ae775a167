using System.CommandLine;
using RagFood.Cli;
using RagFood.Cli.Commands;

// Composition only: the commands live in Commands/, the shared plumbing in CliSession.
var root = new RootCommand("ragfood: ask the RagFood service about food, search and manage its knowledge base.\n" + ExitCodes.Help);
GlobalOptions.AddTo(root);
root.Subcommands.Add(ChatCommand.Create());
root.Subcommands.Add(AskCommand.Create());
root.Subcommands.Add(QueryCommand.Create());
root.Subcommands.Add(IngestCommand.Create());
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(FetchDeleteCommands.CreateFetch());
root.Subcommands.Add(FetchDeleteCommands.CreateDelete());
root.Subcommands.Add(FetchDeleteCommands.CreateNamespaces());
root.Subcommands.Add(InfoCommand.CreatePing());
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(VerifyCommands.CreateVerify());
root.Subcommands.Add(BackupCommands.CreateExport());
root.Subcommands.Add(BackupCommands.CreateRestore());
root.Subcommands.Add(VerifyCommands.CreateStores());
root.Subcommands.Add(UsageCommand.Create());
root.Subcommands.Add(DoctorCommand.Create());

return await root.Parse(args).InvokeAsync();
