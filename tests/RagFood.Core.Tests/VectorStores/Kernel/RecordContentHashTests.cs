using System.Text.Json;
using RagFood.Core.VectorStores.Kernel;

namespace RagFood.Core.Tests.VectorStores.Kernel;

public sealed class RecordContentHashTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void Key_order_and_whitespace_do_not_change_the_hash()
    {
        Assert.Equal(
            RecordContentHash.Compute("t", Json("""{"b": 1, "a": {"y": [1, "x"], "x": true}}""")),
            RecordContentHash.Compute("t", Json("""{"a":{"x":true,"y":[1,"x"]},"b":1}""")));
    }

    [Fact]
    public void Text_metadata_and_vector_presence_each_change_the_hash()
    {
        var baseline = RecordContentHash.Compute("t", Json("""{"a":1}"""));

        Assert.NotEqual(baseline, RecordContentHash.Compute("u", Json("""{"a":1}""")));
        Assert.NotEqual(baseline, RecordContentHash.Compute("t", Json("""{"a":2}""")));
        Assert.NotEqual(baseline, RecordContentHash.Compute("t", Json("""{"a":1}"""), hasVector: true));
    }

    [Fact]
    public void No_metadata_an_empty_object_and_no_text_versus_empty_text_hash_alike()
    {
        Assert.Equal(RecordContentHash.Compute("t", null), RecordContentHash.Compute("t", Json("{}")));
        Assert.Equal(RecordContentHash.Compute(null, null), RecordContentHash.Compute("", null));
    }

    [Fact]
    public void The_hash_is_lower_case_sha256_hex()
    {
        var hash = RecordContentHash.Compute("t", null);

        Assert.Equal(64, hash.Length);
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }
}
