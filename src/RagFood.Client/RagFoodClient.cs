using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.Logging;
using RagFood.Contracts.V1;

namespace RagFood.Client;

/// <summary>Typed client for a RagFood server: answers (<c>RagService</c>), vector-store access
/// (<c>VectorService</c>) and diagnostics (<c>DiagnosticsService</c>).</summary>
/// <remarks>
/// <para>One instance owns one <see cref="GrpcChannel"/> and is safe to use from many threads at once; create one per
/// process (the DI registration <c>AddRagFoodClient</c> does) and dispose it at shutdown.</para>
/// <para>Every call carries the API key (if configured) as <c>authorization: Bearer</c> and the
/// <see cref="RagFoodClientOptions.DefaultDeadline"/>. Calls that fail with <c>Unavailable</c> before the server
/// answered are retried by the channel's retry policy (<see cref="RagFoodClientOptions.MaxRetries"/>).</para>
/// <para>Failures throw <see cref="RagFoodException"/> with the gRPC status and the server's message; cancelling the
/// token throws <see cref="OperationCanceledException"/>.</para>
/// </remarks>
public sealed partial class RagFoodClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly RagService.RagServiceClient _rag;
    private readonly VectorService.VectorServiceClient _vectors;
    private readonly DiagnosticsService.DiagnosticsServiceClient _diagnostics;
    private readonly MigrationService.MigrationServiceClient _migration;
    private readonly StoresService.StoresServiceClient _stores;
    private readonly OperationsService.OperationsServiceClient _operations;

    /// <summary>Creates a client and its channel from validated options.</summary>
    /// <param name="options">Address, API key, deadline and retries.</param>
    /// <param name="loggerFactory">Optional; receives the gRPC channel's own logs.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every problem).</exception>
    public RagFoodClient(RagFoodClientOptions options, ILoggerFactory? loggerFactory = null)
        : this(options, loggerFactory, TimeProvider.System)
    {
    }

    internal RagFoodClient(RagFoodClientOptions options, ILoggerFactory? loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new RagFoodClientOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentException(result.FailureMessage, nameof(options));
        }

        Address = options.Address!;
        _channel = GrpcChannel.ForAddress(Address, CreateChannelOptions(options, loggerFactory));
        var invoker = _channel.Intercept(new RagFoodCallInterceptor(options.ApiKey, options.DefaultDeadline, timeProvider));
        _rag = new RagService.RagServiceClient(invoker);
        _vectors = new VectorService.VectorServiceClient(invoker);
        _diagnostics = new DiagnosticsService.DiagnosticsServiceClient(invoker);
        _migration = new MigrationService.MigrationServiceClient(invoker);
        _stores = new StoresService.StoresServiceClient(invoker);
        _operations = new OperationsService.OperationsServiceClient(invoker);
    }

    /// <summary>The server address this client calls.</summary>
    public Uri Address { get; }

    /// <summary>Creates a client without dependency injection.</summary>
    /// <param name="address">Server address, e.g. <c>http://127.0.0.1:50051</c>.</param>
    /// <param name="configure">Optional further settings (API key, deadline, retries).</param>
    /// <param name="loggerFactory">Optional; receives the gRPC channel's own logs.</param>
    /// <returns>A client the caller owns and disposes.</returns>
    /// <exception cref="ArgumentException">The address is not an absolute http(s) URI, or other options are invalid.</exception>
    public static RagFoodClient Create(string address, Action<RagFoodClientOptions>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"'{address}' is not an absolute URI; expected something like http://127.0.0.1:50051.", nameof(address));
        }

        var options = new RagFoodClientOptions { Address = uri };
        configure?.Invoke(options);
        return new RagFoodClient(options, loggerFactory);
    }

    // ---------------------------------------------------------------- RagService

    /// <summary>Answers a question from the records closest to it.</summary>
    /// <remarks>The response carries the answer, its sources with scores, the store that served and how the answer
    /// was produced (generated, extractive or no context).</remarks>
    public Task<AskResponse> AskAsync(AskRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync(request, static (c, r, o) => c._rag.AskAsync(r, o), cancellationToken);

    /// <summary>Answers a question with the server's defaults (top 3, no filter, default namespace).</summary>
    public Task<AskResponse> AskAsync(string question, CancellationToken cancellationToken = default)
        => AskAsync(new AskRequest { Question = question }, cancellationToken);

    /// <summary>Answers a question as a stream: sources, then answer pieces, then a summary.</summary>
    /// <remarks>Enumeration cancels with the token passed here or to <c>WithCancellation</c>; stopping early cancels
    /// the call. The default deadline covers the whole stream.</remarks>
    public async IAsyncEnumerable<AnswerEvent> AskStreamAsync(AskStreamRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var call = Translate(() => _rag.AskStream(request, new CallOptions(cancellationToken: cancellationToken)), cancellationToken);
        var stream = call.ResponseStream;
        while (true)
        {
            // yield cannot sit inside a try with a catch, so each step is translated on its own.
            if (!await TranslateAsync(() => stream.MoveNext(cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            var item = stream.Current;
            switch (item.EventCase)
            {
                case AskStreamResponse.EventOneofCase.Sources:
                    yield return new AnswerSourcesEvent(item.Sources.Sources, item.Sources.ServedBy, item.Sources.FallbackUsed);
                    break;
                case AskStreamResponse.EventOneofCase.Token:
                    yield return new AnswerTokenEvent(item.Token.Text);
                    break;
                case AskStreamResponse.EventOneofCase.Summary:
                    var s = item.Summary;
                    yield return new AnswerSummaryEvent(s.Answer, s.Model, s.Mode, s.ModeReason, s.Timings);
                    break;
                default:
                    // An event added to the contract after this client was built: skip it, as protobuf skips unknown fields.
                    break;
            }
        }
    }

    /// <summary>Streams the answer to a question with the server's defaults.</summary>
    public IAsyncEnumerable<AnswerEvent> AskStreamAsync(string question, CancellationToken cancellationToken = default)
        => AskStreamAsync(new AskStreamRequest { Question = question }, cancellationToken);

    // ---------------------------------------------------------------- VectorService

    /// <summary>Finds the records closest to a text or a vector (exactly one of them).</summary>
    public Task<QueryResponse> QueryAsync(QueryRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync(request, static (c, r, o) => c._vectors.QueryAsync(r, o), cancellationToken);

    /// <summary>Finds the <paramref name="topK"/> records closest to <paramref name="text"/> in the default namespace.</summary>
    public Task<QueryResponse> QueryAsync(string text, int topK, CancellationToken cancellationToken = default)
        => QueryAsync(new QueryRequest { Text = text, TopK = topK }, cancellationToken);

    /// <summary>Inserts or replaces records; records without a vector are embedded by the store.</summary>
    public Task<UpsertResponse> UpsertAsync(UpsertRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync(request, static (c, r, o) => c._vectors.UpsertAsync(r, o), cancellationToken);

    /// <summary>Ingests food items (foods.json schema or its aliases); unusable items come back as problems.</summary>
    public Task<IngestResponse> IngestAsync(IngestRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync(request, static (c, r, o) => c._vectors.IngestAsync(r, o), cancellationToken);

    /// <summary>Reads records by ids (results aligned with the ids) or by id prefix.</summary>
    public Task<FetchResponse> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync(request, static (c, r, o) => c._vectors.FetchAsync(r, o), cancellationToken);

    /// <summary>Deletes records by ids, id prefix or metadata filter (exactly one).</summary>
    public Task<DeleteResponse> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync(request, static (c, r, o) => c._vectors.DeleteAsync(r, o), cancellationToken);

    /// <summary>Reads one page of a namespace in insertion order.</summary>
    public Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync(request, static (c, r, o) => c._vectors.RangeAsync(r, o), cancellationToken);

    /// <summary>Pages through a namespace from <paramref name="request"/>'s cursor to the end, one record at a time.</summary>
    /// <remarks>Each page is a separate call with its own deadline; <paramref name="request"/> is not modified.</remarks>
    public async IAsyncEnumerable<VectorRecord> RangeAllAsync(RangeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var page = request.Clone();
        while (true)
        {
            var response = await RangeAsync(page, cancellationToken).ConfigureAwait(false);
            foreach (var record in response.Records)
            {
                yield return record;
            }

            if (string.IsNullOrEmpty(response.NextCursor) || response.NextCursor == page.Cursor)
            {
                yield break;
            }

            page.Cursor = response.NextCursor;
        }
    }

    /// <summary>Counts per namespace, dimension, similarity, embedding model, fallback and write mode.</summary>
    public Task<InfoResponse> InfoAsync(CancellationToken cancellationToken = default)
        => UnaryAsync(new InfoRequest(), static (c, r, o) => c._vectors.InfoAsync(r, o), cancellationToken);

    /// <summary>Empties one namespace, or all of them with <see cref="ResetRequest.All"/>.</summary>
    public Task<ResetResponse> ResetAsync(ResetRequest request, CancellationToken cancellationToken = default)
        => UnaryAsync(request, static (c, r, o) => c._vectors.ResetAsync(r, o), cancellationToken);

    /// <summary>Lists the namespaces; the default namespace <c>""</c> is always present.</summary>
    public Task<ListNamespacesResponse> ListNamespacesAsync(CancellationToken cancellationToken = default)
        => UnaryAsync(new ListNamespacesRequest(), static (c, r, o) => c._vectors.ListNamespacesAsync(r, o), cancellationToken);

    /// <summary>Deletes a namespace and its records; the default namespace cannot be deleted.</summary>
    public Task<DeleteNamespaceResponse> DeleteNamespaceAsync(string @namespace, CancellationToken cancellationToken = default)
        => UnaryAsync(new DeleteNamespaceRequest { Namespace = @namespace }, static (c, r, o) => c._vectors.DeleteNamespaceAsync(r, o), cancellationToken);

    // ---------------------------------------------------------------- DiagnosticsService

    /// <summary>Round-trips <paramref name="payload"/> through an RPC that does no work.</summary>
    /// <remarks>Useful to check reachability and credentials, and the baseline the benchmarks compare against.</remarks>
    public Task<PingResponse> PingAsync(string payload = "", CancellationToken cancellationToken = default)
        => UnaryAsync(new PingRequest { Payload = payload }, static (c, r, o) => c._diagnostics.PingAsync(r, o), cancellationToken);

    // ---------------------------------------------------------------- OperationsService

    /// <summary>Calls counted per store today and this month, with cost, projection and daily quotas.</summary>
    public Task<UsageResponse> UsageAsync(CancellationToken cancellationToken = default)
        => UnaryAsync(new UsageRequest(), static (c, r, o) => c._operations.UsageAsync(r, o), cancellationToken);

    /// <summary>Runs the server's set-up checks; each finding carries the configuration key and value that fix it.</summary>
    public Task<CheckSetupResponse> CheckSetupAsync(CancellationToken cancellationToken = default)
        => UnaryAsync(new CheckSetupRequest(), static (c, r, o) => c._operations.CheckSetupAsync(r, o), cancellationToken);

    /// <summary>Disposes the channel; calls in flight fail.</summary>
    public void Dispose() => _channel.Dispose();

    // ---------------------------------------------------------------- plumbing

    private async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        TRequest request,
        Func<RagFoodClient, TRequest, CallOptions, AsyncUnaryCall<TResponse>> invoke,
        CancellationToken cancellationToken)
        where TRequest : class
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            using var call = invoke(this, request, new CallOptions(cancellationToken: cancellationToken));
            return await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw ToException(ex, cancellationToken);
        }
    }

    private T Translate<T>(Func<T> start, CancellationToken cancellationToken)
    {
        try
        {
            return start();
        }
        catch (RpcException ex)
        {
            throw ToException(ex, cancellationToken);
        }
    }

    private async Task<T> TranslateAsync<T>(Func<Task<T>> step, CancellationToken cancellationToken)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw ToException(ex, cancellationToken);
        }
    }

    private Exception ToException(RpcException ex, CancellationToken cancellationToken)
    {
        // The caller's token cancelled the call: that is cancellation, not a failure.
        if (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The call was cancelled.", ex, cancellationToken);
        }

        var detail = ex.Status.Detail;
        if (ex.Status.DebugException is { } transport && !string.IsNullOrEmpty(transport.Message) && !detail.Contains(transport.Message, StringComparison.Ordinal))
        {
            // Transport failures ("Error connecting to subchannel.") only say what went wrong in the debug exception
            // (e.g. "Connection refused"); it never holds request headers, so the API key cannot leak through it.
            detail = $"{detail} ({transport.GetBaseException().Message})";
        }

        return new RagFoodException(ex.StatusCode, detail, Address, ex);
    }

    private static GrpcChannelOptions CreateChannelOptions(RagFoodClientOptions options, ILoggerFactory? loggerFactory)
    {
        var channelOptions = new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                // Concurrent streams beyond one connection's limit open another connection instead of queueing.
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            DisposeHttpClient = true,
            // Left off on purpose: with it on, an expired deadline also surfaces as OperationCanceledException.
            // Caller cancellation is turned into OperationCanceledException in ToException instead, so the two stay apart.
            ThrowOperationCanceledOnCancellation = false,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
            LoggerFactory = loggerFactory,
        };

        if (options.MaxRetries > 0)
        {
            channelOptions.MaxRetryAttempts = options.MaxRetries + 1;
            channelOptions.ServiceConfig = new ServiceConfig
            {
                MethodConfigs =
                {
                    new MethodConfig
                    {
                        Names = { MethodName.Default },
                        RetryPolicy = new RetryPolicy
                        {
                            MaxAttempts = options.MaxRetries + 1,
                            InitialBackoff = options.InitialBackoff,
                            MaxBackoff = options.MaxBackoff,
                            BackoffMultiplier = 2,
                            RetryableStatusCodes = { StatusCode.Unavailable },
                        },
                    },
                },
            };
        }

        return channelOptions;
    }
}
