namespace RagFood.Core.Filtering;

/// <summary>A metadata filter that does not parse, or that a store cannot express.</summary>
/// <remarks>
/// The message names the position (0-based character offset), the offending token and what was expected, e.g.
/// <c>Invalid filter at position 14 near 'AND': expected a value after '='.</c> Unlike other
/// <see cref="ArgumentException"/>s the message does not end in "(Parameter 'filter')", so it can be shown to a
/// caller as is; <see cref="ArgumentException.ParamName"/> is still "filter".
/// </remarks>
public sealed class FilterSyntaxException : ArgumentException
{
    public FilterSyntaxException(string message, int position, string token)
        : base(message, "filter")
    {
        Message = message;
        Position = position;
        Token = token;
    }

    /// <summary>The message without the parameter-name suffix <see cref="ArgumentException"/> would append.</summary>
    public override string Message { get; }

    /// <summary>0-based character offset of the offending token in the filter text.</summary>
    public int Position { get; }

    /// <summary>The offending token ("" at end of input).</summary>
    public string Token { get; }
}
