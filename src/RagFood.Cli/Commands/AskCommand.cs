using System.CommandLine;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood ask &lt;question&gt;</c>: one question, streamed answer with sources (or JSON).</summary>
internal static class AskCommand
{
    public static Command Create()
    {
        var question = new Argument<string[]>("question") { Description = "The question (several words are joined).", Arity = ArgumentArity.OneOrMore };
        var topK = CommonOptions.TopK("1-20, default 3");
        var filter = CommonOptions.Filter("restricts the sources");
        var ns = CommonOptions.Namespace();
        var command = new Command("ask", "Answer one question from the knowledge base.") { question, topK, filter, ns };
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var text = CommonOptions.Join(parse.GetValue(question));
            if (session.Json)
            {
                var request = new AskRequest { Question = text, TopK = parse.GetValue(topK), Filter = parse.GetValue(filter) ?? "", Namespace = parse.GetValue(ns) ?? "" };
                session.WriteJson(await session.Client.AskAsync(request, token));
            }
            else
            {
                var request = new AskStreamRequest { Question = text, TopK = parse.GetValue(topK), Filter = parse.GetValue(filter) ?? "", Namespace = parse.GetValue(ns) ?? "" };
                await ChatCommand.StreamAnswerAsync(session, request, interactive: false, token);
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
