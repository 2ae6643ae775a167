using System.Text.Json;
using RagFood.Core.VectorStores;
using RagFood.Tests.Shared;

namespace RagFood.Core.Tests.VectorStores;

public sealed class JournaledWriteTests
{
    [Fact]
    public void An_upsert_survives_the_json_round_trip_with_vectors_bit_for_bit()
    {
        float[] vector = [0.1f, -1e-8f, 3.4028235e38f, 1f / 3f];
        var write = JournaledWrite.ForUpsert(new UpsertRequest(
        [
            new VectorRecord("a") { Text = "naan \"bread\"", Vector = vector, Metadata = JsonDocument.Parse("""{"region":"India","n":[1,2.5,{"x":null}]}""").RootElement },
            new VectorRecord("b") { Text = "text only" },
        ])
        { Namespace = "foods" });

        var back = JournaledWrite.FromJson(write.ToJson());

        Assert.Equal(JournalOperation.Upsert, back.Operation);
        Assert.Equal("foods", back.Namespace);
        Assert.Equal(2, back.Records!.Count);
        Assert.Equal(vector.Select(BitConverter.SingleToInt32Bits), back.Records[0].Vector!.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal("naan \"bread\"", back.Records[0].Text);
        Assert.Equal("""{"region":"India","n":[1,2.5,{"x":null}]}""", back.Records[0].Metadata!.Value.GetRawText());
        Assert.Null(back.Records[1].Vector);
        Assert.Null(back.Records[1].Metadata);
        Assert.Equal(write, back);
    }

    [Fact]
    public void Deletes_resets_and_namespace_deletions_survive_the_round_trip()
    {
        JournaledWrite[] writes =
        [
            JournaledWrite.ForDelete(new DeleteRequest { Ids = ["a", "b"], Namespace = "x" }),
            JournaledWrite.ForDelete(new DeleteRequest { Prefix = "veg-" }),
            JournaledWrite.ForReset("", all: true),
            JournaledWrite.ForDeleteNamespace("old"),
        ];

        foreach (var write in writes)
        {
            Assert.Equal(write, JournaledWrite.FromJson(write.ToJson()));
        }
    }

    [Fact]
    public void The_operation_is_written_by_name_so_the_journal_reads_as_text()
    {
        var json = JournaledWrite.ForDeleteNamespace("old").ToJson();

        Assert.Contains("\"operation\":\"DeleteNamespace\"", json, StringComparison.Ordinal);
        Assert.Contains("\"namespace\":\"old\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_that_is_not_a_journaled_write_is_a_format_error()
        => Assert.Throws<FormatException>(() => JournaledWrite.FromJson("{\"operation\":"));

    [Fact]
    public async Task Applying_an_entry_repeats_the_write_on_the_target()
    {
        var target = new FaultInjectingVectorStore("chroma");
        await JournaledWrite.ForUpsert(new UpsertRequest([new VectorRecord("a") { Text = "apple" }, new VectorRecord("b") { Text = "banana" }])).ApplyToAsync(target, default);
        await JournaledWrite.ForDelete(DeleteRequest.ByIds("a")).ApplyToAsync(target, default);

        var fetched = await target.FetchAsync(FetchRequest.ByIds("a", "b"));

        Assert.Null(fetched[0]);
        Assert.Equal("banana", fetched[1]!.Text);
    }
}
