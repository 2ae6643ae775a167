using System.CommandLine;
using System.Globalization;
using RagFood.Client;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood chat</c>: the original app's loop — ask, watch the answer stream in, see its sources.</summary>
internal static class ChatCommand
{
    private static readonly string[] ExitWords = ["exit", "quit"];

    public static Command Create()
    {
        var topK = CommonOptions.TopK("1-20, default 3");
        var filter = CommonOptions.Filter("applies to every question");
        var ns = CommonOptions.Namespace();
        var command = new Command("chat", "Ask questions one after another; 'exit' or 'quit' (or end of input) leaves. Reads questions line by line when input is piped.")
        {
            topK, filter, ns,
        };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, (session, token) =>
            RunAsync(session, Console.In, Console.IsInputRedirected, parse.GetValue(topK), parse.GetValue(filter) ?? "", parse.GetValue(ns) ?? "", token), ct));
        return command;
    }

    /// <summary>Runs the loop until exit/quit or end of input.</summary>
    /// <remarks>Piped input gets no banner and no prompt, only answers. A question the server rejects is reported
    /// and the loop goes on; an unreachable server or a refused key ends it. The exit code is that of the first
    /// failed question, 0 when none failed.</remarks>
    internal static async Task<int> RunAsync(CliSession session, TextReader input, bool piped, int topK, string filter, string ns, CancellationToken cancellationToken)
    {
        var interactive = !piped && !session.Json;
        var firstFailure = ExitCodes.Ok;
        if (interactive)
        {
            await session.Out.WriteLineAsync($"RagFood chat at {session.Client.Address.GetLeftPart(UriPartial.Authority)}. Ask about food; 'exit' or 'quit' to leave.");
        }

        while (true)
        {
            if (interactive)
            {
                await session.Out.WriteAsync("\nYou: ");
            }

            var line = await input.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                if (interactive)
                {
                    await session.Out.WriteLineAsync();
                }

                return firstFailure;
            }

            var question = line.Trim();
            if (question.Length == 0)
            {
                continue;
            }

            if (ExitWords.Contains(question, StringComparer.OrdinalIgnoreCase))
            {
                return firstFailure;
            }

            try
            {
                if (session.Json)
                {
                    var response = await session.Client.AskAsync(new AskRequest { Question = question, TopK = topK, Filter = filter, Namespace = ns }, cancellationToken);
                    session.WriteJson(response);
                }
                else
                {
                    await StreamAnswerAsync(session, new AskStreamRequest { Question = question, TopK = topK, Filter = filter, Namespace = ns }, interactive, cancellationToken);
                }
            }
            catch (RagFoodException ex)
            {
                var code = session.Report(ex);
                if (firstFailure == ExitCodes.Ok)
                {
                    firstFailure = code;
                }

                if (code is ExitCodes.Unavailable or ExitCodes.Unauthenticated)
                {
                    return code;
                }
            }
        }
    }

    /// <summary>Prints tokens as they arrive, then the sources with their scores.</summary>
    internal static async Task StreamAnswerAsync(CliSession session, AskStreamRequest request, bool interactive, CancellationToken cancellationToken)
    {
        var output = session.Out;
        AnswerSourcesEvent? sources = null;
        AnswerSummaryEvent? summary = null;
        var wroteToken = false;
        if (interactive)
        {
            await output.WriteAsync("RagFood: ");
        }

        await foreach (var item in session.Client.AskStreamAsync(request, cancellationToken))
        {
            switch (item)
            {
                case AnswerSourcesEvent s:
                    sources = s;
                    break;
                case AnswerTokenEvent t:
                    await output.WriteAsync(t.Text);
                    await output.FlushAsync(cancellationToken);
                    wroteToken = true;
                    break;
                case AnswerSummaryEvent s:
                    summary = s;
                    break;
            }
        }

        if (!wroteToken && summary is not null)
        {
            await output.WriteAsync(summary.Answer);
        }

        await output.WriteLineAsync();
        // The server usually says so in the answer itself; say it once.
        if (summary is { Mode: AnswerMode.Extractive } && (summary.ModeReason.Length == 0 || !summary.Answer.Contains(summary.ModeReason, StringComparison.Ordinal)))
        {
            await output.WriteLineAsync($"(extractive answer{(string.IsNullOrEmpty(summary.ModeReason) ? "" : ": " + summary.ModeReason)})");
        }

        if (sources is { Sources.Count: > 0 })
        {
            await output.WriteLineAsync($"Sources ({sources.ServedBy}{(sources.FallbackUsed ? ", fallback" : "")}):");
            var rank = 0;
            foreach (var source in sources.Sources)
            {
                rank++;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {rank}. [{source.Score:0.000}] {source.Id}: {TextTable.Clip(source.Text, 90)}"));
            }
        }

        if (!interactive)
        {
            // Separates answers when questions come from a pipe.
            await output.WriteLineAsync();
        }
    }
}
