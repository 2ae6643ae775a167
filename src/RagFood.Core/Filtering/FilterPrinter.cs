namespace RagFood.Core.Filtering;

/// <summary>Prints a filter tree in canonical form.</summary>
internal static class FilterPrinter
{
    public static string Print(FilterNode root) => throw new NotImplementedException("filter printer: in progress");
}
