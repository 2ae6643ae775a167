using System.CommandLine;

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

    /// <summary>Joins a multi-word argument ("ragfood ask what is biryani").</summary>
    public static string Join(string[]? words) => words is null ? "" : string.Join(' ', words).Trim();
}
