using System.CommandLine;
using System.Globalization;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood fetch</c> and <c>ragfood delete</c>: records by id, by id prefix or (delete) by filter.</summary>
internal static class FetchDeleteCommands
{
    public static Command CreateFetch()
    {
        var ids = new Argument<string[]>("ids") { Description = "Record ids.", Arity = ArgumentArity.ZeroOrMore };
        var prefix = new Option<string?>("--prefix") { Description = "Fetch every record whose id starts with this.", HelpName = "prefix" };
        var ns = CommonOptions.Namespace();
        var includeVectors = CommonOptions.IncludeVectors();
        var command = new Command("fetch", "Read records by ids or by id prefix.") { ids, prefix, ns, includeVectors };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(ids) is { Length: > 0 }) == !string.IsNullOrEmpty(result.GetValue(prefix)))
            {
                result.AddError("fetch needs exactly one of <ids> and --prefix.");
            }
        });
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var request = new FetchRequest { Prefix = parse.GetValue(prefix) ?? "", Namespace = parse.GetValue(ns) ?? "", IncludeVectors = parse.GetValue(includeVectors) };
            request.Ids.AddRange(parse.GetValue(ids) ?? []);
            var response = await session.Client.FetchAsync(request, token);
            if (session.Json)
            {
                session.WriteJson(response);
            }
            else
            {
                var table = new TextTable("id", "found", "text", "metadata");
                foreach (var result in response.Results)
                {
                    table.Add(result.Id, result.Found ? "yes" : "no", TextTable.Clip(result.Record?.Text, 70), TextTable.Clip(CliSession.Metadata(result.Record?.Metadata), 60));
                }

                table.WriteTo(session.Out);
                if (parse.GetValue(includeVectors))
                {
                    foreach (var result in response.Results.Where(r => r.Record is { Vector.Count: > 0 }))
                    {
                        await session.Out.WriteLineAsync($"{result.Id}: [{string.Join(", ", result.Record.Vector.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]");
                    }
                }
            }

            // Asked-for ids that do not exist make the command fail, so scripts can test for presence.
            return response.Results.All(r => r.Found) ? ExitCodes.Ok : ExitCodes.Other;
        }, ct));
        return command;
    }

    public static Command CreateDelete()
    {
        var ids = new Argument<string[]>("ids") { Description = "Record ids.", Arity = ArgumentArity.ZeroOrMore };
        var prefix = new Option<string?>("--prefix") { Description = "Delete every record whose id starts with this.", HelpName = "prefix" };
        var filter = CommonOptions.Filter("delete every matching record");
        var ns = CommonOptions.Namespace();
        var command = new Command("delete", "Delete records by ids, by id prefix or by metadata filter (exactly one).") { ids, prefix, filter, ns };
        command.Validators.Add(result =>
        {
            var given = (result.GetValue(ids) is { Length: > 0 } ? 1 : 0)
                + (string.IsNullOrEmpty(result.GetValue(prefix)) ? 0 : 1)
                + (string.IsNullOrEmpty(result.GetValue(filter)) ? 0 : 1);
            if (given != 1)
            {
                result.AddError("delete needs exactly one of <ids>, --prefix and --filter.");
            }
        });
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var request = new DeleteRequest { Prefix = parse.GetValue(prefix) ?? "", Filter = parse.GetValue(filter) ?? "", Namespace = parse.GetValue(ns) ?? "" };
            request.Ids.AddRange(parse.GetValue(ids) ?? []);
            var response = await session.Client.DeleteAsync(request, token);
            if (session.Json)
            {
                session.WriteJson(response);
            }
            else
            {
                await session.Out.WriteLineAsync($"deleted {response.Deleted} record(s) from {response.ServedBy}");
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command CreateNamespaces()
    {
        var command = new Command("namespaces", "List the namespaces.");
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var response = await session.Client.ListNamespacesAsync(token);
            if (session.Json)
            {
                session.WriteJson(response);
            }
            else
            {
                foreach (var name in response.Namespaces)
                {
                    await session.Out.WriteLineAsync(name.Length == 0 ? "(default)" : name);
                }
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
