using System.CommandLine;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood export</c> and <c>ragfood restore</c>: the backup kept for rollback, and putting it back.</summary>
internal static class BackupCommands
{
    public static Command CreateExport()
    {
        var file = new Argument<string>("file") { Description = "The export file to write on the server (JSON Lines; .gz with --gzip). Replaced only when complete." };
        var store = new Option<string>("--store", "-s") { Description = "What to export (default primary): " + TransferOptions.EndpointHelp, HelpName = "source", DefaultValueFactory = _ => "primary" };
        var gzip = new Option<bool>("--gzip") { Description = "Gzip the file." };
        var ns = TransferOptions.Namespace();
        var mode = TransferOptions.Mode("vectors when the source can give them, else text");
        var sourceModel = TransferOptions.SourceModel();
        var collection = TransferOptions.Collection();
        var command = new Command("export", "Export a store (or one namespace) to a file: a header line, one line per record, an end line.\n" + TransferOptions.ExitHelp)
        {
            file, store, gzip, ns, mode, sourceModel, collection,
        };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, (session, token) =>
        {
            return TransferOptions.StreamAsync(session, () =>
            {
                var request = new ExportRequest
                {
                    Path = TransferOptions.FullPath(parse.GetValue(file)),
                    Source = TransferOptions.ParseEndpoint(parse.GetValue(store) ?? "primary", parse.GetValue(collection), parse.GetValue(sourceModel)),
                    Gzip = parse.GetValue(gzip),
                    Mode = TransferOptions.ParseMode(parse.GetValue(mode)),
                };
                if (parse.GetValue(ns) is { } only)
                {
                    request.Namespace = only;
                }

                return request;
            }, request => session.Client.ExportAsync(request, token), "export", token);
        }, ct));
        return command;
    }

    public static Command CreateRestore()
    {
        var file = new Argument<string>("file") { Description = "The export file to restore (on the server; plain or gzip)." };
        var store = new Option<string>("--store", "-s") { Description = "The store to restore into (default primary): 'primary', 'fallback' or a configured store's name.", HelpName = "store", DefaultValueFactory = _ => "primary" };
        var mode = TransferOptions.Mode("text");
        var ns = TransferOptions.Namespace();
        var batch = TransferOptions.BatchSize();
        var resume = new Option<bool>("--resume") { Description = "Continue after the last checkpoint of the same restore." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the file and report what would be written; write nothing." };
        var skipVerify = new Option<bool>("--skip-verify") { Description = "Do not verify the store against the file at the end." };
        var report = TransferOptions.Report();
        var command = new Command("restore", "Restore an export file into a store (the file is checked whole before anything is written), then verify.\n" + TransferOptions.ExitHelp)
        {
            file, store, mode, ns, batch, resume, dryRun, skipVerify, report,
        };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, (session, token) =>
        {
            return TransferOptions.StreamAsync(session, () =>
            {
                var request = new RestoreRequest
                {
                    Path = TransferOptions.FullPath(parse.GetValue(file)),
                    Store = parse.GetValue(store) ?? "primary",
                    Mode = TransferOptions.ParseMode(parse.GetValue(mode)),
                    BatchSize = parse.GetValue(batch),
                    Resume = parse.GetValue(resume),
                    DryRun = parse.GetValue(dryRun),
                    SkipVerify = parse.GetValue(skipVerify),
                    ReportPath = TransferOptions.FullPath(parse.GetValue(report)),
                };
                if (parse.GetValue(ns) is { } only)
                {
                    request.Namespace = only;
                }

                return request;
            }, request => session.Client.RestoreAsync(request, token), "restore", token);
        }, ct));
        return command;
    }
}
