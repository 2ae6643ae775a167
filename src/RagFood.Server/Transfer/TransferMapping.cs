using System.Globalization;
using RagFood.Transfer;
using RagFood.Transfer.Verification;
using V1 = RagFood.Contracts.V1;

namespace RagFood.Server.Transfer;

/// <summary>Transfer domain types to and from their protobuf messages.</summary>
internal static class TransferMapping
{
    public static TransferMode Mode(V1.TransferMode mode, TransferMode unspecified) => mode switch
    {
        V1.TransferMode.Text => TransferMode.Text,
        V1.TransferMode.Vectors => TransferMode.Vectors,
        V1.TransferMode.Unspecified => unspecified,
        _ => throw new TransferInputException($"Unknown transfer mode {(int)mode}; use text or vectors."),
    };

    public static V1.TransferMode ToProto(TransferMode mode) => mode switch
    {
        TransferMode.Vectors => V1.TransferMode.Vectors,
        TransferMode.Text => V1.TransferMode.Text,
        _ => V1.TransferMode.Unspecified,
    };

    public static V1.TransferEvent ToProto(MigrationEvent e, string source, string target, TransferMode mode)
    {
        switch (e.Kind)
        {
            case MigrationEventKind.Started:
                var started = new V1.TransferStarted { Job = e.Job, Source = source, Target = target, Mode = ToProto(mode), Total = e.Total, AlreadyRead = e.Read };
                if (!string.IsNullOrEmpty(e.Message))
                {
                    started.Notes.AddRange(e.Message.Split("; "));
                }

                return new V1.TransferEvent { Started = started };
            case MigrationEventKind.Paused:
                return new V1.TransferEvent { Paused = new V1.TransferPaused { Job = e.Job, Reason = e.Message ?? "", Read = e.Read, Written = e.Written } };
            case MigrationEventKind.Completed:
                return new V1.TransferEvent { Summary = ToProto(e.Summary!) };
            default:
                var progress = new V1.TransferProgress
                {
                    Job = e.Job,
                    Namespace = e.Namespace,
                    Total = e.Total,
                    Read = e.Read,
                    Written = e.Written,
                    Skipped = e.Skipped,
                    Refused = e.Refused,
                    RecordsPerSecond = e.RecordsPerSecond,
                    EtaSeconds = e.Eta?.TotalSeconds ?? 0,
                };
                progress.RefusedRecords.AddRange(e.RefusedRecords.Select(ToProto));
                return new V1.TransferEvent { Progress = progress };
        }
    }

    public static V1.TransferSummary ToProto(MigrationSummary s)
    {
        var summary = new V1.TransferSummary
        {
            Job = s.Job,
            Status = s.Status == MigrationStatus.Paused ? V1.TransferStatus.Paused : V1.TransferStatus.Completed,
            Mode = ToProto(s.Mode),
            Source = s.Source,
            Target = s.Target,
            Read = s.Read,
            Written = s.Written,
            Skipped = s.Skipped,
            Refused = s.Refused,
            DryRun = s.DryRun,
            Resumed = s.Resumed,
            ElapsedSeconds = s.Elapsed.TotalSeconds,
            Message = s.Message ?? "",
        };
        summary.RefusedRecords.AddRange(s.RefusedRecords.Select(ToProto));
        summary.SourceOnlyIds.AddRange(s.SourceOnlyIds);
        summary.CorpusOnlyIds.AddRange(s.CorpusOnlyIds);
        summary.Notes.AddRange(s.Notes);
        return summary;
    }

    public static V1.VerificationReport ToProto(VerificationReport report)
    {
        var proto = new V1.VerificationReport
        {
            Expected = report.Expected,
            Actual = report.Actual,
            Mode = ToProto(report.Mode),
            Clean = report.Clean,
            Differences = report.Differences,
            VerifiedAt = report.VerifiedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var ns in report.Namespaces)
        {
            var comparison = new V1.NamespaceComparison
            {
                Namespace = ns.Namespace,
                ExpectedCount = ns.ExpectedCount,
                ActualCount = ns.ActualCount,
                MissingCount = ns.MissingCount,
                ExtraCount = ns.ExtraCount,
                ChangedCount = ns.ChangedCount,
            };
            comparison.Missing.AddRange(ns.Missing);
            comparison.Extra.AddRange(ns.Extra);
            comparison.Changed.AddRange(ns.Changed);
            proto.Namespaces.Add(comparison);
        }

        if (report.Vectors is { } v)
        {
            proto.Vectors = new V1.VectorComparison { Sampled = v.Sampled, Equal = v.Equal, Note = v.Note ?? "" };
            if (v.OverlapAt10 is { } overlap)
            {
                proto.Vectors.OverlapAt10 = overlap;
            }
        }

        if (report.Questions is { } q)
        {
            proto.Questions = new V1.QuestionComparison { Questions = q.Questions, Note = q.Note ?? "" };
            if (q.OverlapAt3 is { } overlap)
            {
                proto.Questions.OverlapAt3 = overlap;
            }
        }

        return proto;
    }

    private static V1.RefusedRecord ToProto(RefusedRecord r) => new() { Namespace = r.Namespace, Id = r.Id, Reason = r.Reason };
}
