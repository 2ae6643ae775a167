using OpenTelemetry.Metrics;

namespace RagFood.Server.Tests.Support;

/// <summary>Reading points out of what OpenTelemetry's in-memory exporter collected.</summary>
internal static class MetricPoints
{
    /// <summary>Every point of the instrument <paramref name="name"/>, in export order (the list is copied under its lock).</summary>
    public static List<MetricPoint> Of(List<Metric> exported, string name)
    {
        List<Metric> snapshot;
        lock (exported)
        {
            snapshot = [.. exported];
        }

        var points = new List<MetricPoint>();
        foreach (var metric in snapshot.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                points.Add(point);
            }
        }

        return points;
    }

    /// <summary>The value of tag <paramref name="key"/> on <paramref name="point"/>, or null.</summary>
    public static object? Tag(this MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }
}
