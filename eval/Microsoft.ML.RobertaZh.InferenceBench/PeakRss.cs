namespace Microsoft.ML.RobertaZh.InferenceBench;

/// <summary>The process's peak resident set size (VmHWM, Linux), in MiB.</summary>
internal static class PeakRss
{
    public static double MiB()
    {
        if (!File.Exists("/proc/self/status")) return double.NaN;
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}
