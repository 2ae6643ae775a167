using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using RagFood.Contracts.V1;

namespace RagFood.Server.Grpc;

/// <summary>The benchmark's fair baseline for Query: a bare RPC with Query's request and response types that returns
/// a prebuilt answer, so that only the store's work separates the two.</summary>
/// <remarks>
/// Mapped only when <c>Edge:EnableQueryBaseline</c> is true (the benchmark harness sets it); it has no proto of its own
/// and is not in reflection. <c>Load</c> stores a real Query answer under the key in the <c>baseline-key</c> header;
/// <c>Query</c> returns the answer stored under <c>"{top_k}:{text}"</c> (or the first one stored). Paths sit under
/// <c>/ragfood.v1.</c>, so the API-key check and the rate limit treat it as they treat Query.
/// </remarks>
internal sealed class QueryBaselineService
{
    public const string ServiceName = "ragfood.v1.QueryBaselineService";
    public const string KeyHeader = "baseline-key";

    private readonly ConcurrentDictionary<string, QueryResponse> _answers = new(StringComparer.Ordinal);
    private volatile QueryResponse? _first;

    public static Method<QueryResponse, PingResponse> LoadMethod { get; } =
        new(MethodType.Unary, ServiceName, "Load", Contextual(QueryResponse.Parser), Contextual(PingResponse.Parser));

    public static Method<QueryRequest, QueryResponse> QueryMethod { get; } =
        new(MethodType.Unary, ServiceName, "Query", Contextual(QueryRequest.Parser), Contextual(QueryResponse.Parser));

    /// <summary>A marshaller that serializes straight into gRPC's buffer, as the generated ones do, so the baseline
    /// pays exactly what Query pays for its answer.</summary>
    private static Marshaller<T> Contextual<T>(MessageParser<T> parser)
        where T : IMessage<T>, IBufferMessage
        => new(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    public static string KeyOf(int topK, string text) => $"{topK}:{text}";

    public Task<PingResponse> Load(QueryResponse answer, ServerCallContext context)
    {
        var key = context.RequestHeaders.GetValue(KeyHeader) ?? "";
        _answers[key] = answer;
        _first ??= answer;
        return Task.FromResult(new PingResponse { Payload = key });
    }

    public Task<QueryResponse> Query(QueryRequest request, ServerCallContext context) =>
        Task.FromResult(_answers.TryGetValue(KeyOf(request.TopK, request.Text), out var answer)
            ? answer
            : _first ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "No baseline answer loaded: call Load first.")));
}

/// <summary>Adds <see cref="QueryBaselineService"/>'s two methods (it has no generated binder).</summary>
internal sealed class QueryBaselineMethodProvider : IServiceMethodProvider<QueryBaselineService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<QueryBaselineService> context)
    {
        context.AddUnaryMethod(QueryBaselineService.LoadMethod, [], (service, request, call) => service.Load(request, call));
        context.AddUnaryMethod(QueryBaselineService.QueryMethod, [], (service, request, call) => service.Query(request, call));
    }
}

