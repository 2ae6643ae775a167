using Microsoft.Extensions.VectorData;

namespace RagFood.VectorData;

/// <summary>Options of a <see cref="RagFoodCollection{TKey, TRecord}"/>.</summary>
public sealed class RagFoodCollectionOptions : VectorStoreCollectionOptions
{
    /// <summary>Creates options with the defaults.</summary>
    public RagFoodCollectionOptions()
    {
    }

    /// <summary>Creates a copy of <paramref name="source"/>.</summary>
    public RagFoodCollectionOptions(RagFoodCollectionOptions source)
        : base(source)
    {
        ArgumentNullException.ThrowIfNull(source);
        TextProperty = source.TextProperty;
    }

    internal static RagFoodCollectionOptions Default { get; } = new();

    /// <summary>The model name of the <see cref="string"/> data property that holds the record's text (the text the
    /// store embeds and returns), instead of a metadata field.</summary>
    /// <remarks>When <c>null</c>, a <see cref="string"/> data property whose storage name is <c>text</c> (any case)
    /// is the text, if there is one. A <see cref="string"/> vector property is the text as well; a record may have
    /// one or the other, not both.</remarks>
    public string? TextProperty { get; set; }
}
