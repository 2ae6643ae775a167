using System.Text.Json;
using System.Text.Json.Serialization;
using RagFood.Core.Filtering;

namespace RagFood.Core.VectorStores;

/// <summary>The kind of write a <see cref="JournaledWrite"/> replays.</summary>
public enum JournalOperation
{
    /// <summary><see cref="IVectorStore.UpsertAsync"/>.</summary>
    Upsert,
    /// <summary><see cref="IVectorStore.DeleteAsync"/>.</summary>
    Delete,
    /// <summary><see cref="IVectorStore.ResetAsync"/>.</summary>
    Reset,
    /// <summary><see cref="IVectorStore.DeleteNamespaceAsync"/>.</summary>
    DeleteNamespace,
}

/// <summary>A write acknowledged by the primary store and waiting to be applied to the secondary.</summary>
/// <remarks>
/// <para>Self-contained: it carries everything needed to repeat the write (records with their text, vectors and
/// metadata; ids, prefix or filter text; the namespace), so a process that restarts can replay it from the journal
/// alone. Filters travel as their canonical text and are parsed again on replay.</para>
/// <para>Every operation is idempotent on the target (upsert replaces, deleting what is gone is a no-op), so
/// applying an entry twice, after a crash between applying and marking it done, leaves the same state.</para>
/// <para><see cref="ToJson"/> / <see cref="FromJson"/> give the stable wire form journals persist.</para>
/// </remarks>
public sealed record JournaledWrite
{
    [JsonConstructor]
    internal JournaledWrite(JournalOperation operation, string @namespace)
    {
        Operation = operation;
        Namespace = @namespace;
    }

    public JournalOperation Operation { get; }

    public string Namespace { get; }

    /// <summary>Records to upsert (<see cref="JournalOperation.Upsert"/>).</summary>
    public IReadOnlyList<VectorRecord>? Records { get; init; }

    /// <summary>Ids to delete (<see cref="JournalOperation.Delete"/> by ids).</summary>
    public IReadOnlyList<string>? Ids { get; init; }

    /// <summary>Id prefix to delete (<see cref="JournalOperation.Delete"/> by prefix).</summary>
    public string? Prefix { get; init; }

    /// <summary>Canonical filter text (<see cref="JournalOperation.Delete"/> by filter).</summary>
    public string? Filter { get; init; }

    /// <summary>Reset every namespace (<see cref="JournalOperation.Reset"/>).</summary>
    public bool All { get; init; }

    /// <summary>True when replaying this write hands the target vectors (not text) to store.</summary>
    [JsonIgnore]
    public bool CarriesVectors => Records?.Any(r => r.Vector is not null) == true;

    public static JournaledWrite ForUpsert(UpsertRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new JournaledWrite(JournalOperation.Upsert, request.Namespace) { Records = [.. request.Records] };
    }

    public static JournaledWrite ForDelete(DeleteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new JournaledWrite(JournalOperation.Delete, request.Namespace)
        {
            Ids = request.Ids is null ? null : [.. request.Ids],
            Prefix = request.Prefix,
            Filter = request.Filter?.Text,
        };
    }

    public static JournaledWrite ForReset(string @namespace, bool all) => new(JournalOperation.Reset, @namespace) { All = all };

    public static JournaledWrite ForDeleteNamespace(string @namespace) => new(JournalOperation.DeleteNamespace, @namespace);

    /// <summary>Repeats the write on <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException">The entry is malformed (e.g. a filter that no longer parses).</exception>
    public async Task ApplyToAsync(IVectorStore target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        switch (Operation)
        {
            case JournalOperation.Upsert:
                await target.UpsertAsync(new UpsertRequest(Records ?? []) { Namespace = Namespace }, cancellationToken)
                    .ConfigureAwait(false);
                break;
            case JournalOperation.Delete:
                await target.DeleteAsync(new DeleteRequest
                {
                    Ids = Ids,
                    Prefix = Prefix,
                    Filter = MetadataFilter.Parse(Filter),
                    Namespace = Namespace,
                }, cancellationToken).ConfigureAwait(false);
                break;
            case JournalOperation.Reset:
                await target.ResetAsync(Namespace, All, cancellationToken).ConfigureAwait(false);
                break;
            case JournalOperation.DeleteNamespace:
                await target.DeleteNamespaceAsync(Namespace, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentException($"Unknown journal operation '{Operation}'.", nameof(target));
        }
    }

    /// <summary>Serialises the write as JSON (camelCase; vectors as number arrays; metadata verbatim).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JournalJsonContext.Default.JournaledWrite);

    /// <summary>Reads a write serialised by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not a journaled write.</exception>
    public static JournaledWrite FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize(json, JournalJsonContext.Default.JournaledWrite)
                ?? throw new FormatException("The journal entry is empty.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The journal entry is not valid JSON: {ex.Message}", ex);
        }
    }

    public bool Equals(JournaledWrite? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => HashCode.Combine(Operation, Namespace, Records?.Count, Ids?.Count, Prefix, Filter, All);
}

/// <summary>One journaled write with its place in the order.</summary>
/// <param name="Sequence">Strictly increasing across the journal's life; replay follows it.</param>
/// <param name="Write">The write to repeat.</param>
/// <param name="JournaledAt">When the primary acknowledged it.</param>
public sealed record WriteJournalEntry(long Sequence, JournaledWrite Write, DateTimeOffset JournaledAt);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(JournaledWrite))]
internal sealed partial class JournalJsonContext : JsonSerializerContext;
