using System.Text.Json;

namespace RagFood.UpstashEmulator;

/// <summary>A sparse vector, normalised: indices ascending and unique (duplicates summed).</summary>
internal sealed record SparseVector(int[] Indices, float[] Values)
{
    public static SparseVector Normalise(int[] indices, float[] values)
    {
        var merged = new SortedDictionary<int, float>();
        for (var i = 0; i < indices.Length; i++)
        {
            merged[indices[i]] = merged.TryGetValue(indices[i], out var existing) ? existing + values[i] : values[i];
        }

        return new SparseVector([.. merged.Keys], [.. merged.Values]);
    }

    /// <summary>Inner product over the indices both vectors have (both sorted).</summary>
    public double Dot(SparseVector other, Func<int, double>? weight = null)
    {
        double sum = 0;
        int i = 0, j = 0;
        while (i < Indices.Length && j < other.Indices.Length)
        {
            var a = Indices[i];
            var b = other.Indices[j];
            if (a == b)
            {
                sum += Values[i] * (weight?.Invoke(a) ?? 1.0) * other.Values[j];
                i++;
                j++;
            }
            else if (a < b)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return sum;
    }

    public bool Overlaps(SparseVector other)
    {
        int i = 0, j = 0;
        while (i < Indices.Length && j < other.Indices.Length)
        {
            if (Indices[i] == other.Indices[j])
            {
                return true;
            }

            if (Indices[i] < other.Indices[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return false;
    }
}

/// <summary>One stored record. Immutable: an overwrite replaces the object (keeping <see cref="Seq"/>).</summary>
internal sealed record StoredRecord(string Id, long Seq)
{
    public float[]? Vector { get; init; }

    /// <summary>L2 norm of <see cref="Vector"/>, precomputed for cosine scoring.</summary>
    public float Norm { get; init; }

    public SparseVector? Sparse { get; init; }

    /// <summary>A JSON object (cloned, so it outlives the request document), or null.</summary>
    public JsonElement? Metadata { get; init; }

    public string? Data { get; init; }

    public bool Deleted { get; init; }

    /// <summary>Rough storage footprint, for <c>indexSize</c> in info.</summary>
    public long ApproximateBytes =>
        Id.Length * 2L + (Vector?.Length ?? 0) * 4L + (Sparse?.Indices.Length ?? 0) * 8L
        + (Metadata?.GetRawText().Length ?? 0) + (Data?.Length ?? 0) * 2L;
}

/// <summary>Record content as parsed from a request, before it gets a sequence number.</summary>
internal sealed record RecordInput(string Id)
{
    public float[]? Vector { get; init; }
    public SparseVector? Sparse { get; init; }
    public JsonElement? Metadata { get; init; }
    public string? Data { get; init; }
}

/// <summary>What a query returns about each record.</summary>
internal readonly record struct IncludeFlags(bool Vectors, bool Metadata, bool Data);

/// <summary>A record with its score, for query answers.</summary>
internal readonly record struct Scored(StoredRecord Record, double Score);

/// <summary>An error answered with Upstash's envelope <c>{"error": message, "status": code}</c>.</summary>
internal sealed class EmulatorError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
