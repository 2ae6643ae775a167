using Microsoft.Extensions.VectorData;

namespace RagFood.VectorData.Tests;

/// <summary>A food of data/foods.json as an MEVD record: the key is the id, <c>text</c> the record's text, the rest metadata.</summary>
public sealed class Food
{
    [VectorStoreKey]
    public string Id { get; set; } = "";

    [VectorStoreData(StorageName = "text")]
    public string? Text { get; set; }

    [VectorStoreData(StorageName = "region")]
    public string? Region { get; set; }

    [VectorStoreData(StorageName = "type")]
    public string? Type { get; set; }

    [VectorStoreData(StorageName = "price")]
    public int? Price { get; set; }

    [VectorStoreData(StorageName = "vegan")]
    public bool Vegan { get; set; }

    [VectorStoreData(StorageName = "tags")]
    public List<string>? Tags { get; set; }

    [VectorStoreVector(64)]
    public ReadOnlyMemory<float>? Embedding { get; set; }

    /// <summary>The schema with the vector dimension of the store under test (attributes need a constant); a dynamic
    /// collection may hold the vector as another type.</summary>
    public static VectorStoreCollectionDefinition Definition(int dimension, Type? vectorType = null) => new()
    {
        Properties =
        [
            new VectorStoreKeyProperty(nameof(Id), typeof(string)),
            new VectorStoreDataProperty(nameof(Text), typeof(string)) { StorageName = "text" },
            new VectorStoreDataProperty(nameof(Region), typeof(string)) { StorageName = "region" },
            new VectorStoreDataProperty(nameof(Type), typeof(string)) { StorageName = "type" },
            new VectorStoreDataProperty(nameof(Price), typeof(int?)) { StorageName = "price" },
            new VectorStoreDataProperty(nameof(Vegan), typeof(bool)) { StorageName = "vegan" },
            new VectorStoreDataProperty(nameof(Tags), typeof(List<string>)) { StorageName = "tags" },
            new VectorStoreVectorProperty(nameof(Embedding), vectorType ?? typeof(ReadOnlyMemory<float>?), dimension),
        ],
    };
}

/// <summary>A record whose text is a string vector property: the store embeds it (MEVD's embedding generation by the store).</summary>
public sealed class Dish
{
    [VectorStoreKey]
    public string Id { get; set; } = "";

    [VectorStoreVector(64)]
    public string? Description { get; set; }

    [VectorStoreData(StorageName = "region")]
    public string? Region { get; set; }
}
