using System.Runtime.InteropServices;

namespace RagFood.Benchmarks.Harness;

/// <summary>The machine a run happened on, written beside the results.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, string Os, string Runtime, double MemoryGb, DateTimeOffset Date)
{
    public static MachineInfo Current() => new(
        ReadCpuModel(),
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        DateTimeOffset.UtcNow);

    public string Describe() =>
        $"{Cpu}, {Cores} cores, {MemoryGb:0.#} GB, {Os}, {Runtime}, {Date:yyyy-MM-dd HH:mm} UTC";

    private static string ReadCpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (File.Exists(cpuinfo))
        {
            var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null && line.IndexOf(':', StringComparison.Ordinal) is var i and >= 0)
            {
                return line[(i + 1)..].Trim();
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
