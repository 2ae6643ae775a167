using System.CommandLine;
using System.Globalization;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood query</c>: the records closest to a text or a vector.</summary>
internal static class QueryCommand
{
    public static Command Create()
    {
        var text = new Argument<string[]>("text") { Description = "Text to search for (several words are joined).", Arity = ArgumentArity.ZeroOrMore };
        var vector = new Option<string?>("--vector")
        {
            Description = "Search by a vector instead of text: comma- or space-separated floats, matching the store's dimension.",
            HelpName = "floats",
        };
        var topK = CommonOptions.TopK("1-100, default 10");
        var filter = CommonOptions.Filter("only matching records");
        var ns = CommonOptions.Namespace();
        var includeVectors = CommonOptions.IncludeVectors();
        var command = new Command("query", "Find the records closest to a text or a vector.") { text, vector, topK, filter, ns, includeVectors };
        command.Validators.Add(result =>
        {
            var hasText = result.GetValue(text) is { Length: > 0 };
            var hasVector = !string.IsNullOrWhiteSpace(result.GetValue(vector));
            if (hasText == hasVector)
            {
                result.AddError("query needs exactly one of <text> and --vector.");
            }
            else if (hasVector && !TryParseVector(result.GetValue(vector)!, out _, out var problem))
            {
                result.AddError("invalid --vector: " + problem);
            }
        });
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var request = new QueryRequest
            {
                Text = CommonOptions.Join(parse.GetValue(text)),
                TopK = parse.GetValue(topK),
                Filter = parse.GetValue(filter) ?? "",
                Namespace = parse.GetValue(ns) ?? "",
                IncludeVectors = parse.GetValue(includeVectors),
            };
            if (parse.GetValue(vector) is { } raw && TryParseVector(raw, out var values, out _))
            {
                request.Vector.AddRange(values);
            }

            var response = await session.Client.QueryAsync(request, token);
            if (session.Json)
            {
                session.WriteJson(response);
                return ExitCodes.Ok;
            }

            var table = new TextTable("#", "id", "score", "text", "metadata").AlignRight(0, 2);
            var rank = 0;
            foreach (var match in response.Matches)
            {
                table.Add((++rank).ToString(CultureInfo.InvariantCulture), match.Id, match.Score.ToString("0.0000", CultureInfo.InvariantCulture),
                    TextTable.Clip(match.Text, 60), TextTable.Clip(CliSession.Metadata(match.Metadata), 60));
            }

            table.WriteTo(session.Out);
            await session.Out.WriteLineAsync($"{response.Matches.Count} match(es) from {response.ServedBy}{(response.FallbackUsed ? " (fallback)" : "")}, model {response.EmbeddingModel}");
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    internal static bool TryParseVector(string raw, out float[] values, out string problem)
    {
        var parts = raw.Trim().TrimStart('[').TrimEnd(']').Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        values = new float[parts.Length];
        problem = "";
        if (parts.Length == 0)
        {
            problem = "no numbers given.";
            return false;
        }

        for (var i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
            {
                problem = $"'{parts[i]}' (position {i + 1}) is not a finite number.";
                return false;
            }
        }

        return true;
    }
}
