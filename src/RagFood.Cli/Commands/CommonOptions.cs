using System.CommandLine;
using System.CommandLine.Parsing;

namespace RagFood.Cli.Commands;

/// <summary>Factories for options several commands share (each command gets its own instance).</summary>
internal static class CommonOptions
{
    public static Option<int> TopK(string defaultText) => new("--top-k", "-k")
    {
        Description = $"How many records to retrieve ({defaultText}).",
        HelpName = "n",
    };

    public static Option<string?> Filter(string what) => new("--filter", "-f")
    {
        Description = $"Metadata filter in Upstash syntax, e.g. \"region = 'India' AND type != 'Dessert'\" ({what}).",
        HelpName = "expr",
    };

    public static Option<string> Namespace() => new("--namespace", "-n")
    {
        Description = "Namespace (default: the default namespace \"\").",
        HelpName = "name",
        DefaultValueFactory = _ => "",
    };

    public static Option<bool> IncludeVectors() => new("--include-vectors")
    {
        Description = "Include the stored vectors in the output.",
    };

    /// <summary>The option's value for a validator, or false when the text did not convert (e.g. <c>--timeout abc</c>).</summary>
    /// <remarks>System.CommandLine reports a value that does not convert as a parse error of its own ("Cannot parse
    /// argument 'abc' for option ..."), but <see cref="OptionResult.GetValueOrDefault{T}"/> throws for it inside a
    /// validator, which would end the CLI with an unhandled exception instead of a usage error. A validator that gets
    /// false checks nothing: the parse error is already there.</remarks>
    public static bool TryGetValue<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>Joins a multi-word argument ("ragfood ask what is biryani").</summary>
    public static string Join(string[]? words) => words is null ? "" : string.Join(' ', words).Trim();
}
