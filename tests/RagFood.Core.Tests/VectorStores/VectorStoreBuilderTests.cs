using RagFood.Tests.Shared;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Tests.VectorStores;

public sealed class VectorStoreBuilderTests
{
    [Fact]
    public async Task The_first_Use_is_the_outermost_layer()
    {
        var calls = new List<string>();
        var inner = new FaultInjectingVectorStore("sqlite");

        var store = new VectorStoreBuilder(inner)
            .Use(s => new RecordingStore(s, "first", calls))
            .Use(s => new RecordingStore(s, "second", calls))
            .Build();
        await store.ListNamespacesAsync();

        Assert.Equal("first", Assert.IsType<RecordingStore>(store).Label);
        Assert.Equal(["first", "second"], calls);
        Assert.Equal(["ListNamespaces"], inner.Calls);
    }

    [Fact]
    public void Without_layers_the_inner_store_is_returned()
    {
        var inner = new FaultInjectingVectorStore("sqlite");

        Assert.Same(inner, inner.AsBuilder().Build());
    }

    [Fact]
    public void Factories_that_need_services_receive_the_provider_given_to_Build()
    {
        var services = new SingleServiceProvider("from the container");
        string? seen = null;

        new VectorStoreBuilder(new FaultInjectingVectorStore("sqlite"))
            .Use((s, sp) =>
            {
                seen = (string?)sp.GetService(typeof(string));
                return s;
            })
            .Build(services);

        Assert.Equal("from the container", seen);
    }

    [Fact]
    public void The_inner_store_can_come_from_the_container()
    {
        var inner = new FaultInjectingVectorStore("chroma");

        var store = new VectorStoreBuilder(_ => inner).Build(new SingleServiceProvider("unused"));

        Assert.Same(inner, store);
    }

    [Fact]
    public void A_factory_that_returns_null_is_an_error()
    {
        var builder = new FaultInjectingVectorStore("sqlite").AsBuilder().Use(_ => null!);

        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public async Task A_fallback_layer_composes_under_an_outer_layer()
    {
        var calls = new List<string>();
        var primary = new FaultInjectingVectorStore("upstash").FailTransiently(operations: "Query");
        var secondary = new FaultInjectingVectorStore("sqlite");

        var store = primary.AsBuilder()
            .Use(s => new RecordingStore(s, "outer", calls))
            .Use(s => new ComposedFallback(s, secondary))
            .Build();
        using var scope = ServingScope.Begin();
        await store.QueryAsync(VectorQuery.ForText("apple"));

        Assert.Equal(["outer"], calls);
        Assert.Equal("sqlite", scope.StoreName);
        Assert.True(scope.FallbackUsed);
    }

    private sealed class RecordingStore(IVectorStore inner, string label, List<string> calls) : DelegatingVectorStore(inner)
    {
        public string Label => label;

        public override Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken = default)
        {
            calls.Add(label);
            return base.ListNamespacesAsync(cancellationToken);
        }

        public override Task<IReadOnlyList<ScoredRecord>> QueryAsync(VectorQuery query, CancellationToken cancellationToken = default)
        {
            calls.Add(label);
            return base.QueryAsync(query, cancellationToken);
        }
    }

    private sealed class SingleServiceProvider(string value) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(string) ? value : null;
    }
}
