using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RagFood.Providers.Tests.Chroma;

/// <summary>A real Chroma server (the npm package pinned in tools/node) on a loopback port with its own data directory.</summary>
/// <remarks>Installs the npm tools when they are missing (never skips). Stop and restart keep the data directory and
/// the port, as an operator restarting the server would.</remarks>
public sealed class ChromaServer : IAsyncDisposable
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private readonly StringBuilder _output = new();
    private readonly bool _ownsDataDirectory;
    private Process? _process;

    private ChromaServer(string dataDirectory, int port, bool ownsDataDirectory)
    {
        DataDirectory = dataDirectory;
        Port = port;
        _ownsDataDirectory = ownsDataDirectory;
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a fresh temporary data directory (or <paramref name="dataDirectory"/>).</summary>
    public static async Task<ChromaServer> StartAsync(string? dataDirectory = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "ragfood-chroma-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dataDirectory);
        var server = new ChromaServer(dataDirectory, FreePort(), owns);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Kills the server process (and its children) as a crash would.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the server again on the same data directory and port.</summary>
    public Task RestartAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A temp directory left behind is harmless.
            }
        }
    }

    public static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RagFood.Grpc.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("RagFood.Grpc.sln not found above " + AppContext.BaseDirectory);
    }

    public static async Task<string> EnsureChromaInstalledAsync()
    {
        var root = RepoRoot();
        var chroma = Path.Combine(root, "tools", "node", "node_modules", ".bin", "chroma");
        await InstallGate.WaitAsync();
        try
        {
            if (!File.Exists(chroma))
            {
                var install = Process.Start(new ProcessStartInfo("npm", "install --prefix tools/node --no-audit --no-fund --loglevel=error")
                {
                    WorkingDirectory = root,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                }) ?? throw new InvalidOperationException("npm could not be started");
                var stderr = install.StandardError.ReadToEndAsync();
                _ = await install.StandardOutput.ReadToEndAsync();
                await install.WaitForExitAsync();
                if (install.ExitCode != 0 || !File.Exists(chroma))
                {
                    throw new InvalidOperationException($"npm install --prefix tools/node failed ({install.ExitCode}): {await stderr}");
                }
            }
        }
        finally
        {
            InstallGate.Release();
        }

        return chroma;
    }

    private async Task StartProcessAsync()
    {
        var chroma = await EnsureChromaInstalledAsync();
        var info = new ProcessStartInfo(chroma)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "run", "--path", DataDirectory, "--host", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Chroma exited with {process.ExitCode} before answering: {Output()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Url, "/api/v2/heartbeat"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Chroma did not answer /api/v2/heartbeat on port {Port} within 90 s: {Output()}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 20_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
