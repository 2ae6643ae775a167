using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using RagFood.Server.Tests.Support;

namespace RagFood.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class HealthAndReflectionTests(ServerFixture fixture)
{
    [Fact]
    public async Task Health_reports_serving_once_the_corpus_is_ingested()
    {
        var reply = await fixture.Host.Health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_lists_the_ragfood_services_with_health_and_reflection()
    {
        var client = new ServerReflection.ServerReflectionClient(fixture.Host.Channel);
        using var call = client.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("ragfood.v1.VectorService", services);
        Assert.Contains("ragfood.v1.RagService", services);
        Assert.Contains("ragfood.v1.DiagnosticsService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task Reflection_describes_a_ragfood_method_by_symbol()
    {
        var client = new ServerReflection.ServerReflectionClient(fixture.Host.Channel);
        using var call = client.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "ragfood.v1.RagService.Ask" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto;

        Assert.NotEmpty(files);
        Assert.Equal(ServerReflectionResponse.MessageResponseOneofCase.FileDescriptorResponse, call.ResponseStream.Current.MessageResponseCase);
    }
}
