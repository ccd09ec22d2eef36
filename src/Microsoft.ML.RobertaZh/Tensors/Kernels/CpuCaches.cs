using System.Globalization;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Data-cache sizes of the CPU this process runs on, read once at start-up: from Linux's
/// <c>/sys/devices/system/cpu/cpu0/cache/index*</c> when present, else from CPUID's deterministic cache leaves
/// (leaf 4 on Intel, 0x8000001D on AMD), else conservative defaults. <see cref="Source"/> says which.
/// </summary>
/// <param name="L1d">Level-1 data cache of one core, bytes.</param>
/// <param name="L2">Level-2 cache of one core, bytes.</param>
/// <param name="L3">Level-3 cache (whole, as shared by its cores), bytes; 0 when there is none.</param>
/// <param name="L3Sharing">Logical processors sharing the level-3 cache (≥ 1).</param>
/// <param name="Source">"sysfs", "cpuid" or "defaults".</param>
internal sealed record CpuCaches(long L1d, long L2, long L3, int L3Sharing, string Source)
{
    /// <summary>What is assumed when nothing can be read: a small Intel core of the last decade.</summary>
    public static CpuCaches Defaults { get; } = new(32 * 1024, 256 * 1024, 8 * 1024 * 1024, 8, "defaults");

    /// <summary>The caches of this machine (read once).</summary>
    public static CpuCaches Current { get; } = Detect();

    /// <summary>L3 bytes per logical processor sharing it (0 without an L3).</summary>
    public long L3PerCore => L3 / Math.Max(1, L3Sharing);

    private static CpuCaches Detect()
    {
        try
        {
            return FromSysfs("/sys/devices/system/cpu/cpu0/cache") ?? FromCpuid() ?? Defaults;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return FromCpuid() ?? Defaults;
        }
    }

    /// <summary>Parses a sysfs cache directory (index*/level, type, size, shared_cpu_list); null when absent or incomplete.</summary>
    internal static CpuCaches? FromSysfs(string directory)
    {
        if (!Directory.Exists(directory)) return null;
        long l1 = 0, l2 = 0, l3 = 0;
        int l3Sharing = 1;
        foreach (string index in Directory.EnumerateDirectories(directory, "index*"))
        {
            string? level = ReadOrNull(Path.Combine(index, "level"));
            string? type = ReadOrNull(Path.Combine(index, "type"));
            string? size = ReadOrNull(Path.Combine(index, "size"));
            if (level is null || type is null || size is null || type == "Instruction") continue;
            long bytes = ParseSize(size);
            switch (level)
            {
                case "1": l1 = bytes; break;
                case "2": l2 = bytes; break;
                case "3":
                    l3 = bytes;
                    l3Sharing = CountCpus(ReadOrNull(Path.Combine(index, "shared_cpu_list")));
                    break;
            }
        }
        return l1 > 0 && l2 > 0 ? new CpuCaches(l1, l2, l3, l3Sharing, "sysfs") : null;
    }

    /// <summary>"32K", "1024K", "32M" or a plain byte count, as sysfs writes sizes.</summary>
    internal static long ParseSize(string text)
    {
        text = text.Trim();
        long factor = 1;
        if (text.EndsWith('K')) factor = 1024;
        else if (text.EndsWith('M')) factor = 1024 * 1024;
        else if (text.EndsWith('G')) factor = 1024L * 1024 * 1024;
        if (factor != 1) text = text[..^1];
        return long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) * factor;
    }

    /// <summary>Number of CPUs in a list such as "0-3,8,10-11"; 1 when unreadable.</summary>
    internal static int CountCpus(string? list)
    {
        if (string.IsNullOrWhiteSpace(list)) return 1;
        int count = 0;
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            count += dash < 0 ? 1 : int.Parse(part[(dash + 1)..], CultureInfo.InvariantCulture) - int.Parse(part[..dash], CultureInfo.InvariantCulture) + 1;
        }
        return Math.Max(1, count);
    }

    private static string? ReadOrNull(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    /// <summary>
    /// CPUID deterministic cache parameters: each sub-leaf describes one cache (EAX bits 4:0 type, 7:5 level, 25:14
    /// sharing − 1; EBX ways − 1, partitions − 1, line size − 1; ECX sets − 1). Intel uses leaf 4, AMD 0x8000001D with
    /// the same layout (Intel SDM vol. 2A "CPUID"; AMD APM vol. 3 appendix E).
    /// </summary>
    private static CpuCaches? FromCpuid()
    {
        if (!X86Base.IsSupported) return null;
        (int maxLeaf, int vendor0, _, _) = X86Base.CpuId(0, 0);
        bool amd = vendor0 == 0x68747541; // "Auth" of "AuthenticAMD"
        int leaf = amd ? unchecked((int)0x8000001D) : 4;
        if (!amd && maxLeaf < 4) return null;
        if (amd && (uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax < 0x8000001D) return null;
        long l1 = 0, l2 = 0, l3 = 0;
        int l3Sharing = 1;
        for (int sub = 0; sub < 16; sub++)
        {
            (int eax, int ebx, int ecx, _) = X86Base.CpuId(leaf, sub);
            int type = eax & 0x1F;
            if (type == 0) break;
            if (type == 2) continue; // instruction cache
            int level = (eax >> 5) & 0x7;
            long ways = ((ebx >> 22) & 0x3FF) + 1, partitions = ((ebx >> 12) & 0x3FF) + 1, line = (ebx & 0xFFF) + 1, sets = (long)(uint)ecx + 1;
            long bytes = ways * partitions * line * sets;
            if (level == 1) l1 = bytes;
            else if (level == 2) l2 = bytes;
            else if (level == 3) { l3 = bytes; l3Sharing = ((eax >> 14) & 0xFFF) + 1; }
        }
        return l1 > 0 && l2 > 0 ? new CpuCaches(l1, l2, l3, l3Sharing, "cpuid") : null;
    }
}
