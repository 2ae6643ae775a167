namespace RagFood.Benchmarks.Harness;

/// <summary>Finds the repository root: the folder holding RagFood.Grpc.sln.</summary>
internal static class RepoRoot
{
    public static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RagFood.Grpc.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("RagFood.Grpc.sln not found above " + AppContext.BaseDirectory);
    }
}
