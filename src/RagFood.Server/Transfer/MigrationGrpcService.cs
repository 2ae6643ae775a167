using Grpc.Core;
using RagFood.Transfer;
using RagFood.Transfer.Export;
using RagFood.Transfer.Sinks;
using V1 = RagFood.Contracts.V1;

namespace RagFood.Server.Transfer;

/// <summary>The MigrationService RPCs: validate, build a plan, run it, stream the events back.</summary>
/// <remarks>A client that goes away cancels the run; its checkpoint stands and <c>resume</c> continues it.</remarks>
internal sealed class MigrationGrpcService(TransferEndpoints endpoints, TransferRunner runner) : V1.MigrationService.MigrationServiceBase
{
    public override async Task Migrate(V1.MigrateRequest request, IServerStreamWriter<V1.MigrateResponse> responseStream, ServerCallContext context)
    {
        var token = context.CancellationToken;
        var verify = runner.Verification(request.SkipVerify, request.ReportPath, request.QuestionsPath, 0);
        var source = endpoints.Source(request.Source, "source");
        var target = endpoints.Sink(request.Target, request.Gzip, "target");
        TransferEndpoints.EnsureDistinct(source, target);
        var plan = new MigrationPlan(source, target)
        {
            Mode = TransferMapping.Mode(request.Mode, TransferMode.Text),
            BatchSize = TransferRunner.BatchSize(request.BatchSize),
            Namespace = request.HasNamespace ? request.Namespace : null,
            Corpus = await LoadCorpusAsync(request.CorpusPath, token).ConfigureAwait(false),
            DryRun = request.DryRun,
            Resume = request.Resume,
            SkipUnchanged = !request.RewriteUnchanged,
        };
        await foreach (var e in runner.RunAsync(plan, verify, "migrate", token).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(new V1.MigrateResponse { Event = e }, token).ConfigureAwait(false);
        }
    }

    public override async Task<V1.VerifyResponse> Verify(V1.VerifyRequest request, ServerCallContext context)
    {
        var token = context.CancellationToken;
        var verify = runner.Verification(false, request.ReportPath, request.QuestionsPath, request.SampleSize);
        await using var source = endpoints.Source(request.Source, "source");
        var sink = endpoints.Sink(request.Target, gzip: false, "target");
        TransferEndpoints.EnsureDistinct(source, sink);
        if (sink is ExportFileSink export && !File.Exists(export.Path))
        {
            throw new TransferInputException($"target: the export file '{export.Path}' does not exist.");
        }

        await using var target = sink.OpenAsSource();
        var corpus = await LoadCorpusAsync(request.CorpusPath, token).ConfigureAwait(false);
        var (report, path) = await runner.VerifyAsync(source, target, TransferMapping.Mode(request.Mode, TransferMode.Text), corpus,
            request.HasNamespace ? request.Namespace : null, verify, token).ConfigureAwait(false);
        return new V1.VerifyResponse { Report = TransferMapping.ToProto(report), ReportPath = path };
    }

    public override async Task Export(V1.ExportRequest request, IServerStreamWriter<V1.ExportResponse> responseStream, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Path))
        {
            throw new TransferInputException("path is required: the export file to write.");
        }

        var token = context.CancellationToken;
        var plan = new MigrationPlan(endpoints.Source(request.Source, "source", defaultStore: "primary"), new ExportFileSink(endpoints.ResolveRequested(request.Path, "path"), request.Gzip))
        {
            Mode = TransferMapping.Mode(request.Mode, TransferMode.Auto),
            BatchSize = 500,
            Namespace = request.HasNamespace ? request.Namespace : null,
            SkipUnchanged = false,
        };
        await foreach (var e in runner.RunAsync(plan, runner.Verification(false, "", "", 0), "export", token).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(new V1.ExportResponse { Event = e }, token).ConfigureAwait(false);
        }
    }

    public override async Task Restore(V1.RestoreRequest request, IServerStreamWriter<V1.RestoreResponse> responseStream, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Path))
        {
            throw new TransferInputException("path is required: the export file to restore.");
        }

        var token = context.CancellationToken;
        var store = endpoints.Store(request.Store, "store");
        var plan = new MigrationPlan(new ExportFileSource(endpoints.ResolveRequested(request.Path, "path")), new StoreRecordSink(store, TransferEndpoints.MaxBatchSize(store.Name)))
        {
            Mode = TransferMapping.Mode(request.Mode, TransferMode.Text),
            BatchSize = TransferRunner.BatchSize(request.BatchSize),
            Namespace = request.HasNamespace ? request.Namespace : null,
            DryRun = request.DryRun,
            Resume = request.Resume,
        };
        await foreach (var e in runner.RunAsync(plan, runner.Verification(request.SkipVerify, request.ReportPath, "", 0), "restore", token).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(new V1.RestoreResponse { Event = e }, token).ConfigureAwait(false);
        }
    }

    private async Task<CorpusJoin?> LoadCorpusAsync(string path, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(path) ? null : await CorpusJoin.LoadAsync(endpoints.ResolveRequested(path, "corpus_path"), cancellationToken).ConfigureAwait(false);
}
