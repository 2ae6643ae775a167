using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace RagFood.Testing;

/// <summary>The real RagFood server (src/RagFood.Server build output) running as a child process on a free loopback port.</summary>
/// <remarks>Shared by the client tests and the benchmarks. The server gets its own temporary data directory; extra
/// configuration goes in as environment variables (<c>Section__Key</c>). Dispose stops the process tree.</remarks>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private int _disposed;

    private ServerProcess(Process process, Uri address, string dataDirectory)
    {
        _process = process;
        Address = address;
        DataDirectory = dataDirectory;
    }

    public Uri Address { get; }

    public string DataDirectory { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the server wrote to stdout and stderr so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the server and returns once it accepts connections.</summary>
    /// <param name="environment">Configuration as environment variables, e.g. <c>Auth__ApiKeys__0</c>.</param>
    /// <param name="ready">Extra readiness probe run after the port accepts connections (e.g. "corpus ingested").</param>
    public static async Task<ServerProcess> StartAsync(
        IReadOnlyDictionary<string, string>? environment = null,
        Func<Uri, CancellationToken, Task<bool>>? ready = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var serverDll = Path.Combine(RepoPaths.BuildOutput("RagFood.Server"), "RagFood.Server.dll");
        if (!File.Exists(serverDll))
        {
            throw new FileNotFoundException($"The server build output is missing: {serverDll}. Build src/RagFood.Server first.");
        }

        var dataDirectory = Path.Combine(Path.GetTempPath(), "ragfood-server-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dataDirectory);
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(serverDll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(address.OriginalString);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["VectorStore__Sqlite__Path"] = Path.Combine(dataDirectory, "ragfood.db");
        // The server's default for a new store is the local semantic model, whose first ingest takes tens of seconds;
        // these tests are about the wire, so they pin the built-in embedder (a test may still override it).
        info.Environment["Embeddings__Provider"] = "BuiltIn";
        info.Environment["Usage__Path"] = Path.Combine(dataDirectory, "ragfood-usage.db");
        // Transfer tests name files in their own temp directories; the server allows only its content root by default.
        info.Environment["Migration__AllowedDirectories__0"] = Path.GetTempPath();
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var name in new[] { "RAGFOOD_ADDRESS", "RAGFOOD_API_KEY", "UPSTASH_VECTOR_REST_URL", "UPSTASH_VECTOR_REST_TOKEN" })
        {
            info.Environment.Remove(name);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process, address, dataDirectory);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(ready, timeout ?? TimeSpan.FromSeconds(90), cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the process tree (SIGKILL on Linux: no shutdown hooks run) and removes the data directory.
    /// Idempotent, so a test can kill the server mid-call and still dispose it in a <c>finally</c>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // Leave it; the temp directory may then stay behind.
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task WaitUntilReadyAsync(Func<Uri, CancellationToken, Task<bool>>? ready, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var portOpen = false;
        while (deadline.Elapsed < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before it was ready:\n{Log}");
            }

            if (!portOpen)
            {
                portOpen = await CanConnectAsync(Address.Port, cancellationToken);
            }

            if (portOpen && (ready is null || await ready(Address, cancellationToken)))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The server at {Address} was not ready after {timeout.TotalSeconds:0} s:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            // Keep the tail only: a chatty server must not grow test memory without bound.
            if (_log.Length > 200_000)
            {
                _log.Remove(0, 100_000);
            }

            _log.AppendLine(line);
        }
    }

    private static async Task<bool> CanConnectAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Paths in the repository and in its build output.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagFood.Grpc.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RagFood.Grpc.sln not found above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    /// <summary>Build configuration of the running assembly (Debug or Release), so tests use outputs built alongside them.</summary>
    public static string Configuration =>
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c ? c : "Debug";

    /// <summary>bin/&lt;Configuration&gt;/net10.0 of a project under src/.</summary>
    public static string BuildOutput(string project) =>
        Path.Combine(RepoRoot, "src", project, "bin", Configuration, "net10.0");
}
