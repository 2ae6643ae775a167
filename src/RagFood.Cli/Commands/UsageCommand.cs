using System.CommandLine;
using System.Globalization;
using RagFood.Contracts.V1;

namespace RagFood.Cli.Commands;

/// <summary><c>ragfood usage</c>: calls and cost per store, today and this month, the projected month, and the daily quotas.</summary>
internal static class UsageCommand
{
    public static Command Create()
    {
        var command = new Command("usage", "Show calls and cost per store: today, this month, the projected month, and how much of each daily quota is used.");
        command.SetAction((parse, ct) => CliSession.RunAsync(parse, async (session, token) =>
        {
            var usage = await session.Client.UsageAsync(token);
            if (session.Json)
            {
                session.WriteJson(usage);
                return ExitCodes.Ok;
            }

            await session.Out.WriteLineAsync($"usage on {usage.Day} (UTC); cost at the configured prices (Usage:Plans)");
            var table = new TextTable("store", "reads today", "writes today", "cost today", "cost month", "projected month", "daily quota").AlignRight(1, 2, 3, 4, 5);
            foreach (var store in usage.Stores)
            {
                table.Add(
                    store.Store,
                    Count(store.Today.Reads),
                    Count(store.Today.Writes),
                    Money(store.Today.Cost),
                    Money(store.Month.Cost),
                    Money(store.ProjectedMonthCost),
                    Quota(store));
            }

            table.WriteTo(session.Out);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Money(double value) => "$" + value.ToString(value < 0.01 && value > 0 ? "0.000000" : "0.00", CultureInfo.InvariantCulture);

    private static string Quota(StoreUsage store)
    {
        if (store.DailyReadLimit == 0 && store.DailyWriteLimit == 0)
        {
            return "none";
        }

        var used = Math.Max(store.ReadQuotaUsed, store.WriteQuotaUsed).ToString("P0", CultureInfo.InvariantCulture);
        return store.QuotaState switch
        {
            QuotaState.Exceeded => $"{used} EXCEEDED",
            QuotaState.Warning => $"{used} warning",
            _ => used,
        };
    }
}
