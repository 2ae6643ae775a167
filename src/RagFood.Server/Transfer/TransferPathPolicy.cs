using Grpc.Core;
using Microsoft.Extensions.Options;

namespace RagFood.Server.Transfer;

/// <summary>The one place where a path named in a transfer request (export and restore files, chroma_db directories,
/// corpus, questions and report files) is resolved and checked against <c>Migration:AllowedDirectories</c>.</summary>
/// <remarks>
/// <para>Relative paths resolve against the content root. The check runs on the path with <c>..</c> removed and every
/// symbolic link of its existing part followed, so neither <c>../</c> nor a link planted inside an allowed directory
/// reaches a file outside it. A path outside every allowed directory is <c>PERMISSION_DENIED</c> with a message naming the
/// key; gRPC and HTTP/JSON callers get the same answer because both reach the services through this class.</para>
/// <para>Paths from the server's own configuration (<c>Migration:Directory</c>, <c>Backup:Directory</c>,
/// <c>Migration:QuestionsPath</c>) are the operator's and are not checked.</para>
/// </remarks>
internal sealed class TransferPathPolicy
{
    private static readonly StringComparison PathComparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
    private readonly string _contentRoot;

    public TransferPathPolicy(IOptions<MigrationOptions> options, IHostEnvironment environment)
    {
        _contentRoot = environment.ContentRootPath;
        var configured = options.Value.AllowedDirectories.Where(d => !string.IsNullOrWhiteSpace(d)).ToList();
        Allowed = (configured.Count == 0 ? [_contentRoot] : configured)
            .Select(d => RealPath(Path.GetFullPath(d.Trim(), _contentRoot)))
            .Distinct(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The directories requests may name files in (real paths); the content root when none is configured.</summary>
    public IReadOnlyList<string> Allowed { get; }

    /// <summary>A path from the server's configuration, resolved against the content root and not checked.</summary>
    public string ResolveConfigured(string path) => Path.GetFullPath(path, _contentRoot);

    /// <summary>A path from a request, resolved against the content root.</summary>
    /// <param name="path">The path as the caller sent it.</param>
    /// <param name="field">The request field, for the message (e.g. <c>source.export_file</c>).</param>
    /// <exception cref="RpcException">PERMISSION_DENIED when the path is outside every allowed directory.</exception>
    public string ResolveRequested(string path, string field)
    {
        var full = Path.GetFullPath(path, _contentRoot);
        string real;
        try
        {
            real = RealPath(full);
        }
        catch (IOException ex)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{field}: '{full}' cannot be resolved ({ex.Message})."));
        }

        if (Allowed.Any(directory => IsUnder(real, directory)))
        {
            return full;
        }

        throw new RpcException(new Status(StatusCode.PermissionDenied,
            $"{field}: '{full}' is outside the directories this server lets transfers read and write ({string.Join(", ", Allowed)}). " +
            $"Use a path under one of them, or add its directory to Migration:AllowedDirectories in the server's configuration " +
            $"(environment: Migration__AllowedDirectories__0={Path.GetDirectoryName(full) ?? full})."));
    }

    private static bool IsUnder(string path, string directory)
    {
        if (string.Equals(path, directory, PathComparison))
        {
            return true;
        }

        var prefix = Path.EndsInDirectorySeparator(directory) ? directory : directory + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, PathComparison);
    }

    /// <summary>The path with every symbolic link among its existing components followed (the rest appended unchanged).</summary>
    internal static string RealPath(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath) ?? "";
        var current = root;
        var parts = fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (!info.Exists)
            {
                // Nothing below a missing component can be a link yet.
                return Path.Combine([next, .. parts[(i + 1)..]]);
            }

            if (info.LinkTarget is not null)
            {
                next = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? next;
                next = RealPath(Path.GetFullPath(next));
            }

            current = next;
        }

        return Path.GetFullPath(current);
    }
}
