using System.Text.Json;

namespace RagFood.Core.Filtering;

/// <summary>Evaluates a filter tree against a metadata object.</summary>
internal static class FilterEvaluator
{
    public static bool Evaluate(FilterNode root, JsonElement? metadata) => throw new NotImplementedException("filter evaluator: in progress");
}
