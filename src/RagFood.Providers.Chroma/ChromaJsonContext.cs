using System.Text.Json.Serialization;

namespace RagFood.Providers.Chroma;

/// <summary>Source-generated serialisation for the few typed values the provider writes.</summary>
[JsonSerializable(typeof(List<string>))]
internal sealed partial class ChromaJsonContext : JsonSerializerContext;
