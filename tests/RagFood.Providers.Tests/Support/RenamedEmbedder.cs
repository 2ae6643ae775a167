using Microsoft.Extensions.AI;

namespace RagFood.Providers.Tests.Support;

/// <summary>Wraps an embedder but reports another model id: the same vectors, a different declared space.</summary>
public sealed class RenamedEmbedder(IEmbeddingGenerator<string, Embedding<float>> inner, string modelId)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        if (serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata)
            && base.GetService(serviceType, serviceKey) is EmbeddingGeneratorMetadata metadata)
        {
            return new EmbeddingGeneratorMetadata(metadata.ProviderName, metadata.ProviderUri, modelId, metadata.DefaultModelDimensions);
        }

        return base.GetService(serviceType, serviceKey);
    }
}
