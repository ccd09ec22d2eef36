namespace Microsoft.ML.RobertaZh.EngineBench;

/// <summary>The process's peak resident set size (VmHWM), as PyTorch's side reports ru_maxrss.</summary>
internal static class PeakRss
{
    public static double MiB() => Read("VmHWM:");

    /// <summary>The current resident set size (VmRSS).</summary>
    public static double CurrentMiB() => Read("VmRSS:");

    private static double Read(string key)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return double.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}
