using System.Globalization;
using Google.Protobuf;
using RagFood.Contracts.V1;
using Spectre.Console;

namespace RagFood.Cli.Commands;

/// <summary>Live progress (Spectre.Console: items, rate, ETA), summary and report tables, and exit codes for transfers.</summary>
internal static class TransferOutput
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>Consumes a transfer stream, drawing a progress bar on an interactive terminal; returns the summary.</summary>
    public static async Task<TransferSummary?> FollowAsync(CliSession session, IAsyncEnumerable<TransferEvent> events, string verb, CancellationToken cancellationToken)
    {
        TransferSummary? summary = null;
        var interactive = !session.Json && !System.Console.IsOutputRedirected && ReferenceEquals(session.Out, System.Console.Out);
        if (!interactive)
        {
            await foreach (var e in events.WithCancellation(cancellationToken))
            {
                if (e.EventCase == TransferEvent.EventOneofCase.Paused && !session.Json)
                {
                    await session.Error.WriteLineAsync($"ragfood: {verb} paused: {e.Paused.Reason}");
                }

                summary = e.Summary ?? summary;
            }

            return summary;
        }

        var console = AnsiConsole.Console;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(verb, maxValue: 1);
                await foreach (var e in events.WithCancellation(cancellationToken))
                {
                    switch (e.EventCase)
                    {
                        case TransferEvent.EventOneofCase.Started:
                            task.MaxValue = Math.Max(1, e.Started.Total);
                            task.Value = e.Started.AlreadyRead;
                            foreach (var note in e.Started.Notes)
                            {
                                console.MarkupLine($"[grey]{Markup.Escape(note)}[/]");
                            }

                            break;
                        case TransferEvent.EventOneofCase.Progress:
                            var p = e.Progress;
                            task.MaxValue = Math.Max(Math.Max(1, p.Total), p.Read);
                            task.Value = p.Read;
                            var eta = p.EtaSeconds > 0 ? TimeSpan.FromSeconds(p.EtaSeconds).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";
                            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                $"{verb} {p.Read:N0}/{p.Total:N0} · {p.RecordsPerSecond:N0} rec/s · ETA {eta}"));
                            foreach (var refused in p.RefusedRecords)
                            {
                                console.MarkupLine($"[yellow]refused[/] {Markup.Escape(refused.Id)}: {Markup.Escape(refused.Reason)}");
                            }

                            break;
                        case TransferEvent.EventOneofCase.Paused:
                            console.MarkupLine($"[yellow]paused:[/] {Markup.Escape(e.Paused.Reason)}");
                            break;
                        case TransferEvent.EventOneofCase.Summary:
                            summary = e.Summary;
                            task.Value = task.MaxValue;
                            break;
                    }
                }

                task.StopTask();
            });
        return summary;
    }

    /// <summary>Prints the summary (table or JSON) and returns the exit code a script relies on.</summary>
    public static int Finish(CliSession session, TransferSummary? summary)
    {
        if (summary is null)
        {
            session.Error.WriteLine("ragfood: the server ended the transfer without a summary.");
            return ExitCodes.Other;
        }

        if (session.Json)
        {
            session.Out.WriteLine(Formatter.Format(summary));
        }
        else
        {
            var console = ConsoleFor(session);
            var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn(new TableColumn("").RightAligned());
            table.AddRow("status", Status(summary));
            table.AddRow("mode", summary.Mode.ToString().ToLowerInvariant());
            table.AddRow("source", Markup.Escape(summary.Source));
            table.AddRow("target", Markup.Escape(summary.Target));
            table.AddRow("read", N(summary.Read));
            table.AddRow(summary.DryRun ? "would write" : "written", N(summary.Written));
            table.AddRow("skipped (unchanged)", N(summary.Skipped));
            table.AddRow("refused", N(summary.Refused));
            table.AddRow("elapsed", string.Create(CultureInfo.InvariantCulture, $"{summary.ElapsedSeconds:0.0} s"));
            console.Write(table);
            foreach (var refused in summary.RefusedRecords)
            {
                console.MarkupLine($"[yellow]refused[/] {Markup.Escape(refused.Namespace)}/{Markup.Escape(refused.Id)}: {Markup.Escape(refused.Reason)}");
            }

            if (summary.SourceOnlyIds.Count > 0)
            {
                console.MarkupLine($"source ids not in the corpus (copied as they were): {Markup.Escape(string.Join(", ", summary.SourceOnlyIds))}");
            }

            if (summary.CorpusOnlyIds.Count > 0)
            {
                console.MarkupLine($"corpus ids not in the source (not written): {Markup.Escape(string.Join(", ", summary.CorpusOnlyIds))}");
            }

            foreach (var note in summary.Notes)
            {
                console.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
            }

            if (summary.Message.Length > 0)
            {
                console.MarkupLine($"[yellow]{Markup.Escape(summary.Message)}[/]");
            }

            if (summary.Verification is { } report)
            {
                WriteReport(console, report, summary.ReportPath);
            }

            WriteQuota(session.Out, summary.Quota);
        }

        // A dry run that the real run's quota could not carry ends like a run paused for a quota, so a script can stop.
        if (summary.Status == TransferStatus.Paused || summary.Quota.Any(q => q.Exceeds))
        {
            return TransferOptions.Paused;
        }

        if (summary.Verification is { Clean: false })
        {
            return TransferOptions.Differences;
        }

        return summary.Refused > 0 ? ExitCodes.InvalidArgument : ExitCodes.Ok;
    }

    /// <summary>Prints a verification report (table or JSON) and returns 0 when clean, <see cref="TransferOptions.Differences"/> otherwise.</summary>
    public static int FinishReport(CliSession session, VerificationReport report, string reportPath, IMessage response)
    {
        if (session.Json)
        {
            session.Out.WriteLine(Formatter.Format(response));
        }
        else
        {
            WriteReport(ConsoleFor(session), report, reportPath);
        }

        return report.Clean ? ExitCodes.Ok : TransferOptions.Differences;
    }

    public static void WriteReport(IAnsiConsole console, VerificationReport report, string reportPath)
    {
        console.MarkupLine(report.Clean
            ? $"[green]verified clean[/]: {Markup.Escape(report.Actual)} matches {Markup.Escape(report.Expected)}"
            : $"[red]{N(report.Differences)} differences[/] between {Markup.Escape(report.Expected)} and {Markup.Escape(report.Actual)}");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("namespace").AddColumn(new TableColumn("expected").RightAligned()).AddColumn(new TableColumn("actual").RightAligned())
            .AddColumn(new TableColumn("missing").RightAligned()).AddColumn(new TableColumn("extra").RightAligned()).AddColumn(new TableColumn("changed").RightAligned());
        foreach (var ns in report.Namespaces)
        {
            table.AddRow(Markup.Escape(ns.Namespace.Length == 0 ? "(default)" : ns.Namespace), N(ns.ExpectedCount), N(ns.ActualCount), N(ns.MissingCount), N(ns.ExtraCount), N(ns.ChangedCount));
        }

        console.Write(table);
        foreach (var ns in report.Namespaces)
        {
            Ids(console, "missing", ns.Missing, ns.MissingCount);
            Ids(console, "extra", ns.Extra, ns.ExtraCount);
            Ids(console, "changed", ns.Changed, ns.ChangedCount);
        }

        if (report.Vectors is { } v)
        {
            var overlap = v.HasOverlapAt10 ? v.OverlapAt10.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
            console.MarkupLine($"vectors: {v.Equal}/{v.Sampled} sampled equal; stored-vector query overlap@10 {overlap}{(v.Note.Length > 0 ? " (" + Markup.Escape(v.Note) + ")" : "")}");
        }

        if (report.Questions is { } q)
        {
            var overlap = q.HasOverlapAt3 ? q.OverlapAt3.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
            console.MarkupLine($"questions: top-3 overlap {overlap} over {q.Questions} questions (reported, not a pass/fail){(q.Note.Length > 0 ? " (" + Markup.Escape(q.Note) + ")" : "")}");
        }

        if (reportPath.Length > 0)
        {
            console.MarkupLine($"report: {Markup.Escape(reportPath)}");
        }
    }

    /// <summary>One line per estimate and a <c>warning:</c> line for each that would not fit; true when one would not.</summary>
    /// <remarks>Plain lines, not the console's: a script greps them, and the console would wrap them at its width.</remarks>
    public static bool WriteQuota(TextWriter output, IEnumerable<QuotaEstimate> estimates)
    {
        var exceeds = false;
        foreach (var quota in estimates)
        {
            output.WriteLine(QuotaLine(quota));
            if (quota.Exceeds)
            {
                output.WriteLine("warning: " + quota.Warning);
                exceeds = true;
            }
        }

        return exceeds;
    }

    /// <summary>"quota upstash: the run needs 12 reads, 3 writes; left today 9,988 of 10,000 reads, 10,000 of 10,000 writes".</summary>
    public static string QuotaLine(QuotaEstimate quota)
    {
        static string Left(bool has, long left, long limit) => has ? $"{N(left)} of {N(limit)}" : "no quota on";
        return $"quota {quota.Store}: the run needs {N(quota.Reads)} reads, {N(quota.Writes)} writes; left today " +
            $"{Left(quota.HasReadsLeft, quota.ReadsLeft, quota.DailyReadLimit)} reads, {Left(quota.HasWritesLeft, quota.WritesLeft, quota.DailyWriteLimit)} writes";
    }

    private static IAnsiConsole ConsoleFor(CliSession session) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(session.Out), Ansi = ReferenceEquals(session.Out, System.Console.Out) && !System.Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No });

    private static void Ids(IAnsiConsole console, string kind, IReadOnlyCollection<string> ids, long count)
    {
        if (count > 0)
        {
            var more = count > ids.Count ? $" (first {ids.Count} of {N(count)})" : "";
            console.MarkupLine($"{kind}{more}: {Markup.Escape(string.Join(", ", ids))}");
        }
    }

    private static string Status(TransferSummary s) => s.Status == TransferStatus.Paused ? "[yellow]paused[/]" : s.DryRun ? "dry run" : "[green]completed[/]";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
