using Microsoft.Extensions.Options;

namespace RagFood.Server.Edge;

/// <summary><c>Edge:*</c>: how the gRPC edge treats hostile or broken input.</summary>
public sealed class EdgeOptions
{
    public const string SectionName = "Edge";

    /// <summary>At most one Warning per peer address and interval for malformed messages and for refused API keys
    /// (the lines in between are counted and reported with the next one). Default 1 minute.</summary>
    public TimeSpan RefusalLogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Largest request message accepted, in bytes (larger: RESOURCE_EXHAUSTED). Default 4 MiB, grpc-dotnet's.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Allow a plaintext (http://) endpoint on an address other than loopback. Default false: the server refuses
    /// to start, since API keys and data would cross the network unencrypted. When true, a Warning says so at start.</summary>
    public bool AllowNonLoopbackPlaintext { get; set; }

    /// <summary>Map the query-baseline RPC used by the benchmark harness (a prebuilt Query-sized answer). Default false.</summary>
    public bool EnableQueryBaseline { get; set; }
}

internal sealed class EdgeOptionsValidator : IValidateOptions<EdgeOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeOptions options)
    {
        var failures = new List<string>();
        if (options.RefusalLogInterval <= TimeSpan.Zero)
        {
            failures.Add("Edge:RefusalLogInterval must be positive (e.g. 00:01:00).");
        }

        if (options.MaxReceiveMessageSize < 1024)
        {
            failures.Add("Edge:MaxReceiveMessageSize must be at least 1024 bytes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
