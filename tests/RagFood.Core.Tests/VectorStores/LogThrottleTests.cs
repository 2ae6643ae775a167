using Microsoft.Extensions.Time.Testing;
using RagFood.Core.VectorStores;

namespace RagFood.Core.Tests.VectorStores;

public sealed class LogThrottleTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void One_line_per_key_and_period_gets_through_and_the_next_one_counts_what_was_held_back()
    {
        var throttle = new LogThrottle(TimeSpan.FromSeconds(10), _time);

        Assert.True(throttle.ShouldLog("peer-a", out var first));
        Assert.Equal(0, first);
        Assert.False(throttle.ShouldLog("peer-a", out _));
        Assert.False(throttle.ShouldLog("peer-a", out _));
        Assert.True(throttle.ShouldLog("peer-b", out _));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(throttle.ShouldLog("peer-a", out var heldBack));
        Assert.Equal(2, heldBack);
    }

    [Fact]
    public void A_flood_of_distinct_keys_is_forgotten_in_bulk_past_the_bound_instead_of_growing_without_limit()
    {
        var throttle = new LogThrottle(TimeSpan.FromMinutes(1), _time);
        Assert.True(throttle.ShouldLog("peer-0", out _));
        Assert.False(throttle.ShouldLog("peer-0", out _));

        for (var i = 1; i <= LogThrottle.MaxKeys; i++)
        {
            Assert.True(throttle.ShouldLog($"peer-{i}", out _));
        }

        // Still inside peer-0's period, but the table was cleared when it reached the bound.
        Assert.True(throttle.ShouldLog("peer-0", out _));
        Assert.False(throttle.ShouldLog("peer-0", out _));
    }
}
