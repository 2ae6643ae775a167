namespace RagFood.Providers.Upstash.Internal;

/// <summary>Where Upstash credentials come from when configuration leaves them empty: the conventional
/// environment variables, then a <c>.env</c> file. Used by the composition code only.</summary>
internal static class UpstashCredentialSources
{
    public const string UrlVariable = "UPSTASH_VECTOR_REST_URL";
    public const string TokenVariable = "UPSTASH_VECTOR_REST_TOKEN";

    /// <summary>Fills empty <see cref="UpstashVectorStoreOptions.Url"/>/<see cref="UpstashVectorStoreOptions.Token"/>;
    /// explicit configuration wins over the environment, which wins over the file (as dotenv tools behave).</summary>
    public static void Fill(UpstashVectorStoreOptions options, Func<string, string?> environment, string? dotEnvPath)
    {
        IReadOnlyDictionary<string, string>? file = null;
        string? Lookup(string key)
        {
            var value = environment(key);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }

            file ??= dotEnvPath is not null && File.Exists(dotEnvPath) ? ReadDotEnv(dotEnvPath) : new Dictionary<string, string>();
            return file.TryGetValue(key, out var fromFile) && fromFile.Length > 0 ? fromFile : null;
        }

        if (string.IsNullOrWhiteSpace(options.Url))
        {
            options.Url = Lookup(UrlVariable);
        }

        if (string.IsNullOrWhiteSpace(options.Token))
        {
            options.Token = Lookup(TokenVariable);
        }

        // Stray whitespace (a pasted token with a newline) would make every request fail with 401.
        options.Url = options.Url?.Trim();
        options.Token = options.Token?.Trim();
    }

    /// <summary>Reads <c>KEY=VALUE</c> lines; blank lines and <c>#</c> comments are skipped, an <c>export </c>
    /// prefix and matching surrounding quotes are removed.</summary>
    public static IReadOnlyDictionary<string, string> ReadDotEnv(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in File.ReadLines(path))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }
            else if (value.IndexOf(" #", StringComparison.Ordinal) is var comment and >= 0)
            {
                value = value[..comment].TrimEnd();
            }

            values[key] = value;
        }

        return values;
    }
}
