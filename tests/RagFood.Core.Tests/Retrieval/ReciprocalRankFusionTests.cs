using RagFood.Core.Retrieval;

namespace RagFood.Core.Tests.Retrieval;

public sealed class ReciprocalRankFusionTests
{
    [Fact]
    public void An_item_ranked_well_by_both_lists_beats_one_ranked_first_by_only_one()
    {
        var fused = ReciprocalRankFusion.Fuse<string>([["a", "b", "c"], ["b", "d", "a"]]);

        Assert.Equal(["b", "a", "d", "c"], fused.Select(f => f.Item));
        Assert.Equal((1.0 / 62) + (1.0 / 61), fused[0].Score, 12);
    }

    [Fact]
    public void Ties_keep_the_order_in_which_items_were_first_seen()
    {
        var fused = ReciprocalRankFusion.Fuse<string>([["x", "y"], ["y", "x"]]);

        Assert.Equal(["x", "y"], fused.Select(f => f.Item));
    }

    [Fact]
    public void A_smaller_k_weights_the_top_ranks_more()
    {
        var fused = ReciprocalRankFusion.Fuse<string>([["a", "b", "c", "d"], ["d"]], k: 1);

        Assert.Equal("d", fused[0].Item);
        Assert.Throws<ArgumentOutOfRangeException>(() => ReciprocalRankFusion.Fuse<string>([], k: 0));
    }
}
