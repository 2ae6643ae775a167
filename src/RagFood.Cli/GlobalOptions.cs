using System.CommandLine;
using System.Globalization;
using RagFood.Cli.Commands;
using RagFood.Client;

namespace RagFood.Cli;

/// <summary>Options every command accepts (declared once on the root command, recursive).</summary>
internal static class GlobalOptions
{
    public const string AddressVariable = "RAGFOOD_ADDRESS";
    public const string ApiKeyVariable = "RAGFOOD_API_KEY";

    public static readonly Option<string> Address = new("--address", "-a")
    {
        Description = $"Server address (env {AddressVariable}).",
        HelpName = "url",
        Recursive = true,
        DefaultValueFactory = _ => NonEmpty(Environment.GetEnvironmentVariable(AddressVariable)) ?? RagFoodClientOptions.DefaultAddress.OriginalString,
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = $"API key sent as 'authorization: Bearer' (env {ApiKeyVariable}).",
        HelpName = "key",
        Recursive = true,
        DefaultValueFactory = _ => NonEmpty(Environment.GetEnvironmentVariable(ApiKeyVariable)),
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write JSON for machines instead of tables for people.",
        Recursive = true,
    };

    public static readonly Option<double> Timeout = new("--timeout")
    {
        Description = "Deadline per call, in seconds.",
        HelpName = "seconds",
        Recursive = true,
        DefaultValueFactory = _ => 30,
    };

    public static void AddTo(RootCommand root)
    {
        Timeout.Validators.Add(result =>
        {
            if (CommonOptions.TryGetValue<double>(result, out var value) && (!(value > 0) || value > TimeSpan.FromDays(1).TotalSeconds))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"--timeout must be a positive number of seconds, got {value}."));
            }
        });
        root.Options.Add(Address);
        root.Options.Add(ApiKey);
        root.Options.Add(Json);
        root.Options.Add(Timeout);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
