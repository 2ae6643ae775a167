using RagFood.Core.VectorStores;

namespace RagFood.Core.Tests.VectorStores;

public sealed class InMemoryWriteJournalTests
{
    [Fact]
    public async Task Entries_come_back_in_append_order_until_marked_done()
    {
        var journal = new InMemoryWriteJournal();
        var first = await journal.AppendAsync(JournaledWrite.ForDeleteNamespace("a"));
        var second = await journal.AppendAsync(JournaledWrite.ForDeleteNamespace("b"));
        var third = await journal.AppendAsync(JournaledWrite.ForDeleteNamespace("c"));

        Assert.True(first < second && second < third);
        Assert.Equal(["a", "b"], (await journal.ReadPendingAsync(2)).Select(e => e.Write.Namespace));

        await journal.MarkDoneAsync(first);
        await journal.ParkAsync(second, "invalid");

        Assert.Equal(["c"], (await journal.ReadPendingAsync(10)).Select(e => e.Write.Namespace));
        Assert.Equal(new WriteJournalCounts(1, 1), await journal.GetCountsAsync());
    }

    [Fact]
    public async Task Sequence_numbers_are_never_reused_after_entries_are_done()
    {
        var journal = new InMemoryWriteJournal();
        var first = await journal.AppendAsync(JournaledWrite.ForReset("", all: false));
        await journal.MarkDoneAsync(first);

        var next = await journal.AppendAsync(JournaledWrite.ForReset("", all: false));

        Assert.True(next > first);
    }

    [Fact]
    public async Task Entries_outlive_the_metadata_document_the_caller_disposes()
    {
        var journal = new InMemoryWriteJournal();
        using (var document = System.Text.Json.JsonDocument.Parse("""{"region":"India"}"""))
        {
            await journal.AppendAsync(JournaledWrite.ForUpsert(new UpsertRequest([new VectorRecord("dal") { Text = "dal", Metadata = document.RootElement }])));
        }

        var entry = Assert.Single(await journal.ReadPendingAsync(1));

        Assert.Equal("""{"region":"India"}""", entry.Write.Records![0].Metadata!.Value.GetRawText());
    }
}
