namespace Microsoft.ML.RobertaZh.EngineBench;

/// <summary>The process's peak resident set size (VmHWM), as PyTorch's side reports ru_maxrss.</summary>
internal static class PeakRss
{
    public static double MiB()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}
