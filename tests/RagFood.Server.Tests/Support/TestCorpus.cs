namespace RagFood.Server.Tests.Support;

/// <summary>A small food corpus the server tests ingest, so that their expectations do not move with data/foods.json.</summary>
internal static class TestCorpus
{
    public const int Count = 10;

    public const string Json = """
        [
          {"id": "biryani", "text": "Biryani is a fragrant layered rice dish cooked with saffron, spices and chicken or mutton.", "region": "India", "type": "Main Course"},
          {"id": "dal", "text": "Dal is a comforting stew of lentils simmered with turmeric, cumin and garlic.", "region": "India", "type": "Main Course"},
          {"id": "gulab-jamun", "text": "Gulab jamun are soft fried milk dumplings soaked in rose-scented sugar syrup.", "region": "India", "type": "Dessert"},
          {"id": "sushi", "text": "Sushi is vinegared rice topped or rolled with raw fish, seaweed and vegetables.", "region": "Japan", "type": "Main Course"},
          {"id": "mochi", "text": "Mochi is a chewy sweet cake of pounded glutinous rice, often filled with red bean paste.", "region": "Japan", "type": "Dessert"},
          {"id": "tacos", "text": "Tacos are corn tortillas folded around grilled meat, salsa, onion and cilantro.", "region": "Mexico", "type": "Street Food"},
          {"id": "guacamole", "text": "Guacamole is a dip of mashed avocado with lime juice, onion, chili and cilantro.", "region": "Mexico", "type": "Appetizer"},
          {"id": "croissant", "text": "A croissant is a flaky buttery crescent pastry eaten for breakfast.", "region": "France", "type": "Pastry"},
          {"id": "banana", "text": "Bananas are sweet yellow fruits rich in potassium, eaten raw or baked into bread.", "region": "Tropics", "type": "Fruit"},
          {"id": "hummus", "text": "Hummus is a creamy spread of chickpeas blended with tahini, lemon juice and garlic.", "region": "Middle East", "type": "Appetizer"}
        ]
        """;

    /// <summary>Writes the corpus to a file in <paramref name="directory"/> and returns its path.</summary>
    public static string WriteTo(string directory, string json = Json)
    {
        var path = Path.Combine(directory, "foods.json");
        File.WriteAllText(path, json);
        return path;
    }
}
