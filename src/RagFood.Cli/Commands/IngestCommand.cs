using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood ingest &lt;file&gt;</c>: sends food items to the Ingest RPC in batches and reports each unusable item.</summary>
internal static class IngestCommand
{
    public const int DefaultBatchSize = 100;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A JSON array of food items (foods.json schema or its aliases), or JSON Lines." };
        var ns = CommonOptions.Namespace();
        var batchSize = new Option<int>("--batch-size")
        {
            Description = $"Items per Ingest call (1-1000, default {DefaultBatchSize}).",
            HelpName = "n",
            DefaultValueFactory = _ => DefaultBatchSize,
        };
        batchSize.Validators.Add(r =>
        {
            if (CommonOptions.TryGetValue<int>(r, out var value) && value is < 1 or > 1000)
            {
                r.AddError("--batch-size must be between 1 and 1000.");
            }
        });
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Ask the server what the ingest would write (new or changed items, unchanged ones, rejected ones) and whether today's remaining store quota covers it; write nothing. Exit 7 when it would not.",
        };
        var command = new Command("ingest", "Ingest food items from a file; items that cannot be used are listed with their reason, the rest are written.") { file, ns, batchSize, dryRun };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, (session, token) =>
            RunAsync(session, parse.GetValue(file)!, parse.GetValue(ns) ?? "", parse.GetValue(batchSize), parse.GetValue(dryRun), token), ct));
        return command;
    }

    /// <summary>Reads, batches and ingests; exit code 0 when every item was used, 2 when some were rejected or the file is unusable.</summary>
    internal static async Task<int> RunAsync(CliSession session, FileInfo file, string ns, int batchSize, bool dryRun, CancellationToken cancellationToken)
    {
        List<(int Index, string Id, string? Reason, Struct? Item)> items;
        try
        {
            items = await ReadItemsAsync(file, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            await session.Error.WriteLineAsync($"ragfood: cannot read {file.FullName}: {ex.Message}");
            return ExitCodes.InvalidArgument;
        }

        var problems = items.Where(i => i.Reason is not null).Select(i => (i.Index, i.Id, Reason: i.Reason!)).ToList();
        var usable = items.Where(i => i.Item is not null).ToList();
        if (dryRun)
        {
            return await IngestPreview.RunAsync(session, file.FullName, items.Count, usable.Select(u => (u.Index, u.Item!)).ToList(), problems, ns, batchSize, cancellationToken);
        }

        var written = 0;
        var unchanged = 0;
        var servedBy = "";
        var fallbackUsed = false;
        var showProgress = !Console.IsErrorRedirected && !session.Json;
        for (var offset = 0; offset < usable.Count; offset += batchSize)
        {
            var batch = usable.Skip(offset).Take(batchSize).ToList();
            var request = new IngestRequest { Namespace = ns };
            request.Items.AddRange(batch.Select(b => b.Item));
            var response = await session.Client.IngestAsync(request, cancellationToken);
            written += response.Written;
            unchanged += response.Unchanged;
            servedBy = response.ServedBy;
            fallbackUsed |= response.FallbackUsed;
            foreach (var problem in response.Problems)
            {
                // The server numbers items within the batch; report the position in the file.
                var fileIndex = problem.Index >= 0 && problem.Index < batch.Count ? batch[problem.Index].Index : -1;
                problems.Add((fileIndex, problem.Id, problem.Reason));
            }

            if (showProgress)
            {
                var done = Math.Min(offset + batchSize, usable.Count);
                await session.Error.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                    $"\r{ProgressBar(done, usable.Count)} {done}/{usable.Count} items"));
            }
        }

        if (showProgress && usable.Count > 0)
        {
            await session.Error.WriteLineAsync();
        }

        problems.Sort((a, b) => a.Index.CompareTo(b.Index));
        if (session.Json)
        {
            var document = new
            {
                file = file.FullName,
                total = items.Count,
                written,
                unchanged,
                rejected = problems.Count,
                servedBy,
                fallbackUsed,
                problems = problems.Select(p => new { index = p.Index, id = p.Id, reason = p.Reason }),
            };
            await session.Out.WriteLineAsync(JsonSerializer.Serialize(document));
        }
        else
        {
            if (problems.Count > 0)
            {
                var table = new TextTable("item", "id", "problem").AlignRight(0);
                foreach (var (index, id, reason) in problems)
                {
                    table.Add(index < 0 ? "?" : index.ToString(CultureInfo.InvariantCulture), id.Length == 0 ? "(none)" : id, reason);
                }

                table.WriteTo(session.Out);
            }

            var store = servedBy.Length > 0 ? $" (store {servedBy}{(fallbackUsed ? ", fallback" : "")})" : "";
            await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{items.Count} item(s) from {file.Name}: {written} written, {unchanged} unchanged, {problems.Count} rejected{store}"));
        }

        return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.InvalidArgument;
    }

    /// <summary>Reads a JSON array or JSON Lines; each element becomes a struct, or a problem when it is not an object.</summary>
    internal static async Task<List<(int Index, string Id, string? Reason, Struct? Item)>> ReadItemsAsync(FileInfo file, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
        var elements = new List<JsonElement>();
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('['))
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            elements.AddRange(document.RootElement.EnumerateArray().Select(e => e.Clone()));
        }
        else
        {
            var lineNumber = 0;
            foreach (var line in text.Split('\n'))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                try
                {
                    using var document = JsonDocument.Parse(line);
                    elements.Add(document.RootElement.Clone());
                }
                catch (JsonException ex)
                {
                    throw new JsonException($"line {lineNumber} is not JSON ({ex.Message}); expected a JSON array or one JSON object per line.", ex);
                }
            }
        }

        var items = new List<(int, string, string?, Struct?)>(elements.Count);
        for (var i = 0; i < elements.Count; i++)
        {
            var element = elements[i];
            var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var idElement)
                ? (idElement.ValueKind == JsonValueKind.String ? idElement.GetString() ?? "" : idElement.GetRawText())
                : "";
            items.Add(element.ValueKind == JsonValueKind.Object
                ? (i, id, null, JsonParser.Default.Parse<Struct>(element.GetRawText()))
                : (i, id, $"not a JSON object ({element.ValueKind})", null));
        }

        return items;
    }

    private static string ProgressBar(int done, int total)
    {
        const int width = 30;
        var filled = total == 0 ? width : (int)((long)done * width / total);
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
    }
}
