using System.CommandLine;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood migrate --from … --to …</c>: copies records between stores and files on the server, then verifies.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "Source: " + TransferOptions.EndpointHelp, HelpName = "source", Required = true };
        var to = new Option<string>("--to") { Description = "Target (default primary): a store or an export file.", HelpName = "target", DefaultValueFactory = _ => "primary" };
        var mode = TransferOptions.Mode("text");
        var corpus = TransferOptions.Corpus();
        var ns = TransferOptions.Namespace();
        var batch = TransferOptions.BatchSize();
        var dryRun = new Option<bool>("--dry-run") { Description = "Read the source and report what would be written, skipped and refused, and whether today's remaining store quota covers it; write nothing." };
        var resume = new Option<bool>("--resume") { Description = "Continue the same job after its last checkpoint (after a kill, a pause or a quota)." };
        var skipVerify = new Option<bool>("--skip-verify") { Description = "Do not verify the target at the end." };
        var report = TransferOptions.Report();
        var gzip = new Option<bool>("--gzip") { Description = "Gzip an export-file target." };
        var questions = new Option<string?>("--questions") { Description = "Questions for the text-mode top-3 overlap (default data/eval/questions.json on the server).", HelpName = "file" };
        var rewrite = new Option<bool>("--rewrite-unchanged") { Description = "Write records the target already holds unchanged (default: skip them by content hash)." };
        var sourceModel = TransferOptions.SourceModel();
        var collection = TransferOptions.Collection();
        var command = new Command("migrate", "Copy records from a source to a target in batches, resumable, then verify the result.\n" + TransferOptions.ExitHelp)
        {
            from, to, mode, corpus, ns, batch, dryRun, resume, skipVerify, report, gzip, questions, rewrite, sourceModel, collection,
        };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, (session, token) =>
        {
            return TransferOptions.StreamAsync(session, () =>
            {
                var request = new MigrateRequest
                {
                    Source = TransferOptions.ParseEndpoint(parse.GetValue(from)!, parse.GetValue(collection), parse.GetValue(sourceModel)),
                    Target = TransferOptions.ParseEndpoint(parse.GetValue(to) ?? "primary", null, null),
                    Mode = TransferOptions.ParseMode(parse.GetValue(mode)),
                    CorpusPath = TransferOptions.FullPath(parse.GetValue(corpus)),
                    BatchSize = parse.GetValue(batch),
                    DryRun = parse.GetValue(dryRun),
                    Resume = parse.GetValue(resume),
                    SkipVerify = parse.GetValue(skipVerify),
                    ReportPath = TransferOptions.FullPath(parse.GetValue(report)),
                    Gzip = parse.GetValue(gzip),
                    QuestionsPath = TransferOptions.FullPath(parse.GetValue(questions)),
                    RewriteUnchanged = parse.GetValue(rewrite),
                };
                if (parse.GetValue(ns) is { } only)
                {
                    request.Namespace = only;
                }

                return request;
            }, request => session.Client.MigrateAsync(request, token), "migrate", token);
        }, ct));
        return command;
    }
}
