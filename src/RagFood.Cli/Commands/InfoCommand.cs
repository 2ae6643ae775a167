using System.CommandLine;
using System.Globalization;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood info</c>: what store serves, its size, dimension and model; <c>ragfood ping</c>: is it there.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the store: counts per namespace, dimension, similarity, embedding model, fallback.");
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var info = await session.Client.InfoAsync(token);
            if (session.Json)
            {
                session.WriteJson(info);
                return ExitCodes.Ok;
            }

            var o = session.Out;
            await o.WriteLineAsync($"store:           {info.Store}{(info.FallbackUsed ? " (fallback)" : "")}");
            await o.WriteLineAsync($"fallback store:  {(string.IsNullOrEmpty(info.FallbackStore) ? "none" : info.FallbackStore)}");
            await o.WriteLineAsync($"write mode:      {info.WriteMode}");
            await o.WriteLineAsync($"records:         {info.VectorCount.ToString("N0", CultureInfo.InvariantCulture)}");
            await o.WriteLineAsync($"dimension:       {info.Dimension}");
            await o.WriteLineAsync($"similarity:      {info.Similarity}");
            await o.WriteLineAsync($"embedding model: {info.EmbeddingModel}");
            if (info.Namespaces.Count > 0)
            {
                await o.WriteLineAsync();
                var table = new TextTable("namespace", "records").AlignRight(1);
                foreach (var ns in info.Namespaces)
                {
                    table.Add(ns.Name.Length == 0 ? "(default)" : ns.Name, ns.VectorCount.ToString("N0", CultureInfo.InvariantCulture));
                }

                table.WriteTo(o);
            }

            if (info.Stores.Count > 0)
            {
                await o.WriteLineAsync();
                var stores = new TextTable("store", "status", "breaker", "hedge after", "detail").AlignRight(3);
                foreach (var store in info.Stores)
                {
                    stores.Add(store.Name, store.Status, store.BreakerOpen ? "open" : "closed",
                        store.HedgeDelayMs > 0 ? string.Create(CultureInfo.InvariantCulture, $"{store.HedgeDelayMs:0} ms") : "-", store.Detail);
                }

                stores.WriteTo(o);
            }

            if (info.Journals.Count > 0)
            {
                await o.WriteLineAsync();
                var journals = new TextTable("journal for", "pending", "oldest", "parked", "last error").AlignRight(1).AlignRight(2).AlignRight(3);
                foreach (var journal in info.Journals)
                {
                    journals.Add(journal.Target, journal.Pending.ToString("N0", CultureInfo.InvariantCulture),
                        journal.Pending == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{journal.OldestPendingSeconds:0} s"),
                        journal.Parked.ToString("N0", CultureInfo.InvariantCulture), journal.LastError);
                }

                journals.WriteTo(o);
                foreach (var parked in info.Journals.SelectMany(j => j.ParkedEntries.Select(p => (j.Target, p))))
                {
                    await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"parked for {parked.Target}: #{parked.p.Sequence} {parked.p.Operation} in '{parked.p.Namespace}': {parked.p.Reason}"));
                }
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command CreatePing()
    {
        var command = new Command("ping", "Check that the server answers (and that the API key is accepted).");
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await session.Client.PingAsync("ragfood-cli", token);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var address = session.Client.Address.GetLeftPart(UriPartial.Authority);
            await session.Out.WriteLineAsync(session.Json
                ? string.Create(CultureInfo.InvariantCulture, $"{{\"address\":\"{address}\",\"ok\":true,\"ms\":{elapsed:0.###}}}")
                : string.Create(CultureInfo.InvariantCulture, $"pong from {address} in {elapsed:0.0} ms"));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
