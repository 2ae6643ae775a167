using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using RagFood.Core.VectorStores;
using RagFood.Transfer.Sinks;
using RagFood.Transfer.Sources;

namespace RagFood.Transfer.Export;

/// <summary>Writes an export file (see <see cref="ExportFormat"/>), streamed, optionally gzip-compressed.</summary>
/// <remarks>Records go to <c>{path}.partial</c>; <see cref="CompleteAsync"/> writes the end line, flushes to disk and
/// renames it to <paramref name="path"/>, so a file at <paramref name="path"/> is always complete. A run that is
/// killed starts again from the beginning (<see cref="SupportsResume"/> is false).</remarks>
public sealed class ExportFileSink(string path, bool gzip, TimeProvider? time = null) : IRecordSink
{
    private readonly Dictionary<string, long> _written = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _line = new(4096);
    private FileStream? _file;
    private Stream? _stream;
    private string? _currentNamespace;

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string Name => "export:" + Path;

    public int MaxBatchSize => 10_000;

    public bool SupportsResume => false;

    /// <summary>The header is written before the first record; the source describes it.</summary>
    public SourceDescription? Source { get; set; }

    public Task<SinkDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            throw new TransferInputException($"Cannot export to '{Path}': the directory '{directory}' does not exist.");
        }

        return Task.FromResult(new SinkDescription(Name, null, new Dictionary<string, long>()));
    }

    public Task<IReadOnlyList<VectorRecord?>> FetchExistingAsync(string @namespace, IReadOnlyList<string> ids, bool includeVectors, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<VectorRecord?>>(new VectorRecord?[ids.Count]);

    public async Task WriteAsync(string @namespace, IReadOnlyList<VectorRecord> records, CancellationToken cancellationToken = default)
    {
        var stream = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
        if (_currentNamespace != @namespace && _written.ContainsKey(@namespace))
        {
            throw new InvalidOperationException("An export writes each namespace in one run of lines.");
        }

        _currentNamespace = @namespace;
        foreach (var record in records)
        {
            await WriteLineAsync(stream, w => ExportFormat.WriteRecord(w, @namespace, record), cancellationToken).ConfigureAwait(false);
        }

        _written[@namespace] = _written.GetValueOrDefault(@namespace) + records.Count;
    }

    public async Task CompleteAsync(SourceDescription source, CancellationToken cancellationToken = default)
    {
        Source ??= source;
        var stream = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var ns in source.Counts.Keys)
        {
            _written.TryAdd(ns, 0);
        }

        await WriteLineAsync(stream, w => ExportFormat.WriteEnd(w, _written), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_stream is GZipStream)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        _file!.Flush(flushToDisk: true);
        await _file.DisposeAsync().ConfigureAwait(false);
        _stream = null;
        _file = null;
        File.Move(Path + ".partial", Path, overwrite: true);
    }

    public IRecordSource OpenAsSource() => new ExportFileSource(Path);

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null && _stream != _file)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<Stream> EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_stream is not null)
        {
            return _stream;
        }

        var source = Source ?? throw new InvalidOperationException("The export's source must be described before records are written.");
        _file = new FileStream(Path + ".partial", FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
        _stream = gzip ? new GZipStream(_file, CompressionLevel.Fastest, leaveOpen: true) : _file;
        var header = new ExportHeader(ExportFormat.Version, source.Name, source.VectorsReadable ? source.Space : null, source.Counts, (time ?? TimeProvider.System).GetUtcNow());
        await WriteLineAsync(_stream, w => ExportFormat.WriteHeader(w, header), cancellationToken).ConfigureAwait(false);
        return _stream;
    }

    private async Task WriteLineAsync(Stream stream, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        _line.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_line, ExportFormat.WriterOptions))
        {
            write(writer);
        }

        _line.Write("\n"u8);
        await stream.WriteAsync(_line.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }
}
