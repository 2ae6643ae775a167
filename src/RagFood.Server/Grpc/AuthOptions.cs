using Microsoft.Extensions.Options;

namespace RagFood.Server.Grpc;

/// <summary><c>Auth:*</c>: API keys accepted in <c>authorization: Bearer &lt;key&gt;</c>.</summary>
/// <remarks>No keys: authentication is off. Two keys allow rotation (add the new one, move clients, remove the old).
/// Keys belong in environment variables or user secrets (<c>Auth__ApiKeys__0</c>), never in appsettings.json.</remarks>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public List<string> ApiKeys { get; set; } = [];
}

internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
        options.ApiKeys.Any(string.IsNullOrWhiteSpace)
            ? ValidateOptionsResult.Fail("Auth:ApiKeys must not contain empty keys.")
            : ValidateOptionsResult.Success;
}
