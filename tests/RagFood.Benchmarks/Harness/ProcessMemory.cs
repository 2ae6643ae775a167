using System.Diagnostics;
using System.Globalization;

namespace RagFood.Benchmarks.Harness;

/// <summary>Resident memory of a process, read the way the kernel reports it.</summary>
internal static class ProcessMemory
{
    /// <summary>Resident set size in MB (VmRSS from /proc on Linux; <see cref="Process.WorkingSet64"/> elsewhere).</summary>
    public static double ResidentMegabytes(int processId)
    {
        var status = $"/proc/{processId}/status";
        if (File.Exists(status))
        {
            foreach (var line in File.ReadLines(status))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return double.Parse(kb, CultureInfo.InvariantCulture) / 1024;
                }
            }
        }

        using var process = Process.GetProcessById(processId);
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }

    public static double CurrentResidentMegabytes() => ResidentMegabytes(Environment.ProcessId);
}
