using System.Globalization;

namespace RagFood.Transfer.Sources;

/// <summary>Positions of sources read front to back (files): the number of records already consumed.</summary>
internal static class SequentialPosition
{
    public static string After(long consumed) => consumed.ToString(CultureInfo.InvariantCulture);

    public static long Parse(string position, string sourceName)
    {
        if (position.Length == 0)
        {
            return 0;
        }

        return long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var consumed)
            ? consumed
            : throw new TransferInputException($"The checkpoint position '{position}' does not belong to {sourceName}; start the job without --resume.");
    }
}
