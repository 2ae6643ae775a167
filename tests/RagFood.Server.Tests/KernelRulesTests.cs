using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RagFood.Contracts.V1;
using RagFood.Core.VectorStores.Kernel;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

/// <summary>The provider kernel's rules (docs/provider-kernel.md) through gRPC: each is INVALID_ARGUMENT with the
/// rule's message, and nothing is written.</summary>
[Collection(ServerCollection.Name)]
public sealed class KernelRulesTests(ServerFixture fixture)
{
    private readonly string _ns = "kernel" + Guid.NewGuid().ToString("N")[..10];

    private VectorService.VectorServiceClient Vector => fixture.Host.Vector;

    private async Task<RpcException> AssertInvalidAsync(Func<Task> call, string expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail, StringComparison.Ordinal);
        return error;
    }

    private async Task AssertNothingWrittenAsync(string? ns = null)
    {
        var namespaces = await Vector.ListNamespacesAsync(new ListNamespacesRequest());
        Assert.DoesNotContain(ns ?? _ns, namespaces.Namespaces);
    }

    private Task<UpsertResponse> UpsertAsync(VectorRecord record, string? ns = null) =>
        Vector.UpsertAsync(new UpsertRequest { Namespace = ns ?? _ns, Records = { new VectorRecord { Id = "fine", Text = "a fine record" }, record } }).ResponseAsync;

    [Theory]
    [InlineData("nul\u0000id")]
    [InlineData("ansi\u001b[31mred")]
    [InlineData("crlf\r\nid")]
    public async Task An_id_with_a_control_character_is_invalid_and_nothing_is_written(string id)
    {
        var error = await AssertInvalidAsync(() => UpsertAsync(new VectorRecord { Id = id, Text = "text" }), "control character");

        Assert.DoesNotContain('\u001b', error.Status.Detail);
        await AssertNothingWrittenAsync();
        await AssertInvalidAsync(() => Vector.FetchAsync(new FetchRequest { Namespace = _ns, Ids = { id } }).ResponseAsync, "control character");
        await AssertInvalidAsync(() => Vector.DeleteAsync(new DeleteRequest { Namespace = _ns, Ids = { id } }).ResponseAsync, "control character");
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("\t\r\n")]
    public async Task Whitespace_only_text_without_a_vector_is_invalid_and_nothing_is_written(string text)
    {
        await AssertInvalidAsync(() => UpsertAsync(new VectorRecord { Id = "blank", Text = text }), "nothing to embed");
        await AssertNothingWrittenAsync();
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("nul\u0000ns")]
    public async Task A_namespace_with_a_path_or_control_character_is_invalid_for_every_rpc(string ns)
    {
        await AssertInvalidAsync(() => UpsertAsync(new VectorRecord { Id = "dal", Text = "Dal is a lentil stew" }, ns), "amespace");
        await AssertInvalidAsync(() => Vector.QueryAsync(new QueryRequest { Namespace = ns, Text = "stew" }).ResponseAsync, "amespace");
        await AssertInvalidAsync(() => Vector.FetchAsync(new FetchRequest { Namespace = ns, Ids = { "dal" } }).ResponseAsync, "amespace");
        await AssertInvalidAsync(() => Vector.DeleteAsync(new DeleteRequest { Namespace = ns, Ids = { "dal" } }).ResponseAsync, "amespace");
        await AssertInvalidAsync(() => Vector.RangeAsync(new RangeRequest { Namespace = ns }).ResponseAsync, "amespace");
        await AssertInvalidAsync(() => Vector.ResetAsync(new ResetRequest { Namespace = ns }).ResponseAsync, "amespace");
        await AssertInvalidAsync(() => Vector.DeleteNamespaceAsync(new DeleteNamespaceRequest { Namespace = ns }).ResponseAsync, "amespace");
        await AssertNothingWrittenAsync(ns);
    }

    [Fact]
    public async Task A_delete_with_an_empty_prefix_deletes_nothing()
    {
        await Vector.UpsertAsync(new UpsertRequest { Namespace = _ns, Records = { new VectorRecord { Id = "keep", Text = "keep me" } } });

        var error = await Assert.ThrowsAsync<RpcException>(() => Vector.DeleteAsync(new DeleteRequest { Namespace = _ns, Prefix = "" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var fetched = await Vector.FetchAsync(new FetchRequest { Namespace = _ns, Ids = { "keep" } });
        Assert.True(fetched.Results.Single().Found);
    }

    public static TheoryData<string, Struct, string> MetadataOverTheLimits => new()
    {
        { "depth", Nested(VectorStoreLimits.MaxMetadataDepth + 4), $"more than {VectorStoreLimits.MaxMetadataDepth} levels deep" },
        { "size", new Struct { Fields = { ["blob"] = Value.ForString(new string('m', VectorStoreLimits.MaxMetadataBytes)) } }, $"the limit is {VectorStoreLimits.MaxMetadataBytes} bytes" },
        { "key length", new Struct { Fields = { [new string('k', VectorStoreLimits.MaxMetadataKeyLength + 1)] = Value.ForNumber(1) } }, $"the limit is {VectorStoreLimits.MaxMetadataKeyLength}" },
        { "key count", ManyKeys(VectorStoreLimits.MaxMetadataKeys + 1), $"more than {VectorStoreLimits.MaxMetadataKeys} keys" },
    };

    [Theory]
    [MemberData(nameof(MetadataOverTheLimits))]
    public async Task Metadata_over_a_limit_is_invalid_and_nothing_is_written(string rule, Struct metadata, string expected)
    {
        await AssertInvalidAsync(() => UpsertAsync(new VectorRecord { Id = "m", Text = "metadata " + rule, Metadata = metadata }), expected);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Deeply_nested_metadata_is_invalid_in_ingest_too()
    {
        var item = new Struct { Fields = { ["id"] = Value.ForString("deep"), ["text"] = Value.ForString("a deep item"), ["extra"] = Value.ForStruct(Nested(VectorStoreLimits.MaxMetadataDepth + 4)) } };

        await AssertInvalidAsync(() => Vector.IngestAsync(new IngestRequest { Namespace = _ns, Items = { item } }).ResponseAsync, "levels deep");
        await AssertNothingWrittenAsync();
    }

    private static Struct Nested(int depth)
    {
        var inner = new Struct { Fields = { ["leaf"] = Value.ForNumber(1) } };
        for (var i = 1; i < depth; i++)
        {
            inner = new Struct { Fields = { [$"d{i}"] = Value.ForStruct(inner) } };
        }

        return inner;
    }

    private static Struct ManyKeys(int count)
    {
        var result = new Struct();
        for (var i = 0; i < count; i++)
        {
            result.Fields[$"k{i}"] = Value.ForNumber(i);
        }

        return result;
    }
}
