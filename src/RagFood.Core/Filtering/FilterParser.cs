namespace RagFood.Core.Filtering;

/// <summary>Recursive-descent parser for the metadata filter grammar.</summary>
internal static class FilterParser
{
    public static FilterNode Parse(string text) => throw new NotImplementedException("filter parser: in progress");
}
