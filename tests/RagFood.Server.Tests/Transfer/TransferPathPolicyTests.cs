using Grpc.Core;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using RagFood.Server.Transfer;

namespace RagFood.Server.Tests.Transfer;

/// <summary>The one check every transfer path goes through, on its own.</summary>
public sealed class TransferPathPolicyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ragfood-paths-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Relative_paths_resolve_under_the_content_root_and_are_allowed_by_default()
    {
        var policy = Policy();

        Assert.Equal(Path.Combine(_root, "exports", "a.jsonl"), policy.ResolveRequested("exports/a.jsonl", "path"));
        Assert.Equal(_root, policy.ResolveRequested(".", "path"));
        Assert.Equal([_root], policy.Allowed);
    }

    [Fact]
    public void A_sibling_whose_name_starts_like_the_allowed_directory_and_a_dot_dot_escape_are_refused()
    {
        var policy = Policy();

        var sibling = Assert.Throws<RpcException>(() => policy.ResolveRequested(_root + "-other/x.jsonl", "target.export_file"));
        var escape = Assert.Throws<RpcException>(() => policy.ResolveRequested("../x.jsonl", "corpus_path"));

        Assert.Equal(StatusCode.PermissionDenied, sibling.StatusCode);
        Assert.StartsWith("target.export_file: ", sibling.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Migration:AllowedDirectories", sibling.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, escape.StatusCode);
    }

    [Fact]
    public void Configured_directories_replace_the_content_root_and_relative_ones_resolve_against_it()
    {
        var policy = Policy("exports", Path.Combine(_root, "..", Path.GetFileName(_root), "backups"));

        Assert.Equal([Path.Combine(_root, "exports"), Path.Combine(_root, "backups")], policy.Allowed);
        Assert.Equal(Path.Combine(_root, "backups", "b.jsonl"), policy.ResolveRequested("backups/b.jsonl", "path"));
        Assert.Throws<RpcException>(() => policy.ResolveRequested("data/foods.json", "corpus_path"));
        Assert.Equal(Path.Combine(_root, "migration"), policy.ResolveConfigured("migration"));
    }

    private TransferPathPolicy Policy(params string[] allowed)
    {
        var options = new MigrationOptions();
        foreach (var directory in allowed)
        {
            options.AllowedDirectories.Add(directory);
        }

        return new TransferPathPolicy(Options.Create(options), new HostingEnvironment { ContentRootPath = _root });
    }
}
