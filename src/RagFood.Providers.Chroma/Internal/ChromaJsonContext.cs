using System.Text.Json.Serialization;
using RagFood.Providers.Chroma;

namespace RagFood.Providers.Chroma.Internal;

/// <summary>Source-generated serialisation for the few typed values the provider writes.</summary>
[JsonSerializable(typeof(List<string>))]
internal sealed partial class ChromaJsonContext : JsonSerializerContext;
