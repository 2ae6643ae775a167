using RagFood.Core.VectorStores;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Core.Tests.VectorStores.Kernel;

public sealed class EmbeddingSpaceRuleTests
{
    [Theory]
    [InlineData("mxbai-embed-large", "mxbai-embed-large:latest")]
    [InlineData("MXBAI-Embed-Large", "mxbai-embed-large")]
    [InlineData(" mxbai-embed-large ", "mxbai-embed-large:LATEST")]
    [InlineData("nomic-embed-text:latest", "Nomic-Embed-Text")]
    public void Model_ids_that_differ_only_in_case_whitespace_or_the_latest_tag_are_the_same_model(string a, string b)
    {
        Assert.True(EmbeddingSpaceRule.SameModel(a, b));
        Assert.True(EmbeddingSpaceRule.AreSame(new EmbeddingSpace(a, 1024), new EmbeddingSpace(b, 1024)));
    }

    [Theory]
    [InlineData("mxbai-embed-large", "mxbai-embed-large:v1")]
    [InlineData("mxbai-embed-large", "nomic-embed-text")]
    [InlineData("", "")]
    [InlineData("model", "")]
    public void Different_or_unknown_models_are_not_the_same(string a, string b)
    {
        Assert.False(EmbeddingSpaceRule.SameModel(a, b));
    }

    [Fact]
    public void Dimensions_must_agree_unless_one_is_not_known_yet()
    {
        Assert.False(EmbeddingSpaceRule.AreSame(new EmbeddingSpace("m", 384), new EmbeddingSpace("m", 1024)));
        Assert.True(EmbeddingSpaceRule.AreSame(new EmbeddingSpace("m", 0), new EmbeddingSpace("m", 1024)));
    }

    [Fact]
    public void The_normalised_model_drops_only_a_trailing_latest_tag()
    {
        Assert.Equal("mxbai-embed-large", EmbeddingSpaceRule.NormaliseModel("MXBAI-embed-large:latest "));
        Assert.Equal("latest-model:v2", EmbeddingSpaceRule.NormaliseModel("latest-model:v2"));
    }
}
