using System.CommandLine;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood verify</c> (a source against a target) and <c>ragfood stores verify|repair</c> (primary against fallback).</summary>
internal static class VerifyCommands
{
    public static Command CreateVerify()
    {
        var from = new Option<string>("--from") { Description = "Expected side (the migration's source): " + TransferOptions.EndpointHelp, HelpName = "source", Required = true };
        var to = new Option<string>("--to") { Description = "Actual side (default primary): a store or an export file.", HelpName = "target", DefaultValueFactory = _ => "primary" };
        var mode = TransferOptions.Mode("text");
        var corpus = TransferOptions.Corpus();
        var ns = TransferOptions.Namespace();
        var sample = new Option<int>("--sample") { Description = "Records whose vectors are compared in vectors mode (default 20).", HelpName = "n" };
        var questions = new Option<string?>("--questions") { Description = "Questions for the text-mode top-3 overlap (default data/eval/questions.json on the server).", HelpName = "file" };
        var report = TransferOptions.Report();
        var sourceModel = TransferOptions.SourceModel();
        var collection = TransferOptions.Collection();
        var command = new Command("verify", "Compare a source with a target: counts per namespace, ids on one side only, content hash per id; in vectors mode sampled vectors and stored-vector query overlap@10, in text mode top-3 question overlap (reported).\n" + TransferOptions.ExitHelp)
        {
            from, to, mode, corpus, ns, sample, questions, report, sourceModel, collection,
        };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, (session, token) =>
        {
            return TransferOptions.WithRequestAsync(session, () =>
            {
                var request = new VerifyRequest
                {
                    Source = TransferOptions.ParseEndpoint(parse.GetValue(from)!, parse.GetValue(collection), parse.GetValue(sourceModel)),
                    Target = TransferOptions.ParseEndpoint(parse.GetValue(to) ?? "primary", null, null),
                    Mode = TransferOptions.ParseMode(parse.GetValue(mode)),
                    CorpusPath = TransferOptions.FullPath(parse.GetValue(corpus)),
                    SampleSize = parse.GetValue(sample),
                    QuestionsPath = TransferOptions.FullPath(parse.GetValue(questions)),
                    ReportPath = TransferOptions.FullPath(parse.GetValue(report)),
                };
                if (parse.GetValue(ns) is { } only)
                {
                    request.Namespace = only;
                }

                return request;
            }, async request =>
            {
                var response = await session.Client.VerifyAsync(request, token);
                return TransferOutput.FinishReport(session, response.Report, response.ReportPath, response);
            });
        }, ct));
        return command;
    }

    public static Command CreateStores()
    {
        var stores = new Command("stores", "Compare and repair the configured primary and fallback stores.");
        var verifyNs = TransferOptions.Namespace();
        var verify = new Command("verify", "Counts per namespace, ids missing on either side, content hashes that differ.\n" + TransferOptions.ExitHelp) { verifyNs };
        verify.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var request = new VerifyStoresRequest();
            if (parse.GetValue(verifyNs) is { } only)
            {
                request.Namespace = only;
            }

            var response = await session.Client.VerifyStoresAsync(request, token);
            return TransferOutput.FinishReport(session, response.Report, "", response);
        }, ct));

        var direction = new Option<string>("--direction") { Description = "primary-to-fallback (default) or fallback-to-primary: whose version wins.", HelpName = "dir", DefaultValueFactory = _ => "primary-to-fallback" };
        var repairNs = TransferOptions.Namespace();
        var keepExtra = new Option<bool>("--keep-extra") { Description = "Keep records only the repaired store has (default: delete them)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the differences; change nothing." };
        var batch = TransferOptions.BatchSize();
        var repair = new Command("repair", "Copy the reference store's version of every difference to the other store, then verify again.\n" + TransferOptions.ExitHelp) { direction, repairNs, keepExtra, dryRun, batch };
        repair.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var request = new RepairStoresRequest { KeepExtra = parse.GetValue(keepExtra), DryRun = parse.GetValue(dryRun), BatchSize = parse.GetValue(batch) };
            switch ((parse.GetValue(direction) ?? "").Trim().ToLowerInvariant())
            {
                case "primary-to-fallback": request.Direction = RepairDirection.PrimaryToFallback; break;
                case "fallback-to-primary": request.Direction = RepairDirection.FallbackToPrimary; break;
                case var other:
                    await session.Error.WriteLineAsync($"ragfood: --direction must be primary-to-fallback or fallback-to-primary, not '{other}'.");
                    return ExitCodes.Usage;
            }

            if (parse.GetValue(repairNs) is { } only)
            {
                request.Namespace = only;
            }

            var response = await session.Client.RepairStoresAsync(request, token);
            // As for a migration's dry run: exit 7 when the repair would run out of a quota half-way.
            var wouldPause = response.Quota.Any(q => q.Exceeds);
            if (session.Json)
            {
                var jsonCode = TransferOutput.FinishReport(session, response.After ?? response.Before, "", response);
                return wouldPause ? TransferOptions.Paused : jsonCode;
            }

            await session.Out.WriteLineAsync($"{(response.DryRun ? "dry run: would repair" : "repaired")} {response.To} from {response.From}: copied {response.Copied}, deleted {response.Deleted}");
            var code = TransferOutput.FinishReport(session, response.After ?? response.Before, "", response);
            TransferOutput.WriteQuota(session.Out, response.Quota);
            return wouldPause ? TransferOptions.Paused : code;
        }, ct));
        stores.Subcommands.Add(verify);
        stores.Subcommands.Add(repair);
        return stores;
    }
}
