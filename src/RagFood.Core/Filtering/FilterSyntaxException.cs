namespace RagFood.Core.Filtering;

/// <summary>A metadata filter that does not parse, or that a store cannot express.</summary>
/// <remarks>The message names the position (0-based character offset) and the offending token.</remarks>
public sealed class FilterSyntaxException : ArgumentException
{
    public FilterSyntaxException(string message, int position, string token)
        : base(message, "filter")
    {
        Position = position;
        Token = token;
    }

    /// <summary>0-based character offset of the offending token in the filter text.</summary>
    public int Position { get; }

    /// <summary>The offending token ("" at end of input).</summary>
    public string Token { get; }
}
