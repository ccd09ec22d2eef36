using System.Globalization;

namespace Microsoft.ML.RobertaZh.Tensors.Kernels;

/// <summary>
/// Cache blocking of <see cref="Gemm"/> for one micro-kernel family: depth KC, row block MC, column block NC,
/// derived from this CPU's cache sizes (<see cref="CpuCaches"/>) at start-up, each overridable through the environment
/// (<c>ROBERTAZH_GEMM_KC</c>, <c>ROBERTAZH_GEMM_MC</c>, <c>ROBERTAZH_GEMM_NC</c>).
/// </summary>
/// <remarks>
/// The rules follow the analytical model of BLIS (Low, Igual, Smith, Quintana-Ortí, "Analytical modeling is enough
/// for high-performance BLIS", ACM TOMS 2016), simplified to what the loop nest here needs:
/// <list type="bullet">
/// <item>KC: the packed B micro-panel(s) one micro-kernel call streams, KC·width·4 bytes (width 32 for the AVX-512
/// kernel, 16 otherwise), fill at most the L1 data cache, so they stay there while the kernel walks down the MC rows.
/// Rounded down to a multiple of 8 and kept in [64, 384]: deeper blocks amortize C's read-modify-write better, but
/// past that the A micro-panel no longer fits beside B.</item>
/// <item>MC: the packed MC×KC block of A takes at most half of the L2, the other half holding the B micro-panels and
/// C tiles passing through. A multiple of MR, at least 4·MR.</item>
/// <item>NC: the packed KC×NC block of B (shared by the worker threads) takes at most half of the L3 share of the cores
/// this process can use (of the L2 when there is no L3). A multiple of the kernel width, in [8·width, 4096].</item>
/// </list>
/// </remarks>
/// <param name="KC">Depth of a k block.</param>
/// <param name="MC">Rows of a packed A block (multiple of <see cref="Gemm.MR"/>).</param>
/// <param name="NC">Columns of a packed B block (multiple of <see cref="Gemm.NR"/>).</param>
internal sealed record GemmBlocking(int KC, int MC, int NC)
{
    private static readonly GemmBlocking s_wide = FromEnvironment(Derive(CpuCaches.Current, kernelWidth: 2 * Gemm.NR, Environment.ProcessorCount));
    private static readonly GemmBlocking s_narrow = FromEnvironment(Derive(CpuCaches.Current, kernelWidth: Gemm.NR, Environment.ProcessorCount));

    [ThreadStatic] private static GemmBlocking? t_override;

    /// <summary>
    /// Test hook: when set, products started on this thread use these blocks (small values exercise many blocks on
    /// small shapes). Per thread, so parallel tests do not see it; a product's workers use the blocks it started with.
    /// </summary>
    internal static GemmBlocking? Override { get => t_override; set => t_override = value; }

    /// <summary>The blocking in force for <paramref name="kernel"/> (an explicit kernel, not Auto).</summary>
    public static GemmBlocking For(GemmKernel kernel) => Override ?? (kernel == GemmKernel.Avx512 ? s_wide : s_narrow);

    /// <summary>Applies the rules of the remarks to <paramref name="caches"/> for a micro-kernel <paramref name="kernelWidth"/> columns wide.</summary>
    internal static GemmBlocking Derive(CpuCaches caches, int kernelWidth, int processors)
    {
        int kc = (int)Math.Clamp(caches.L1d / (kernelWidth * sizeof(float)) / 8 * 8, 64, 384);
        int mc = (int)Math.Clamp(caches.L2 / 2 / (kc * sizeof(float)) / Gemm.MR * Gemm.MR, 4 * Gemm.MR, 4096 / Gemm.MR * Gemm.MR);
        long shared = caches.L3 > 0 ? caches.L3PerCore * Math.Clamp(processors, 1, caches.L3Sharing) : caches.L2;
        int nc = (int)Math.Clamp(shared / 2 / (kc * sizeof(float)) / kernelWidth * kernelWidth, 8 * kernelWidth, 4096);
        return new GemmBlocking(kc, mc, nc);
    }

    /// <summary>Replaces any of KC, MC, NC given by ROBERTAZH_GEMM_KC / _MC / _NC (rounded to the required multiples).</summary>
    internal static GemmBlocking FromEnvironment(GemmBlocking derived)
    {
        int kc = Read("ROBERTAZH_GEMM_KC", derived.KC, 1);
        int mc = Read("ROBERTAZH_GEMM_MC", derived.MC, Gemm.MR);
        int nc = Read("ROBERTAZH_GEMM_NC", derived.NC, Gemm.NR);
        return new GemmBlocking(kc, mc, nc);
    }

    private static int Read(string name, int fallback, int multiple)
    {
        string? text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1 || value > 1 << 16)
            throw new InvalidOperationException($"{name}='{text}' is not a block size in 1..65536; unset it to use the value derived from the CPU's caches ({fallback}).");
        return Math.Max(multiple, value / multiple * multiple);
    }

    /// <summary>One line for benchmark headers: the blocks of each kernel family and where the cache sizes came from.</summary>
    public static string Describe()
    {
        var c = CpuCaches.Current;
        return string.Create(CultureInfo.InvariantCulture,
            $"caches ({c.Source}): L1d {c.L1d / 1024} KiB, L2 {c.L2 / 1024} KiB, L3 {c.L3 / 1024 / 1024} MiB shared by {c.L3Sharing}; " +
            $"blocking KC/MC/NC: avx512 {s_wide.KC}/{s_wide.MC}/{s_wide.NC}, avx2/portable {s_narrow.KC}/{s_narrow.MC}/{s_narrow.NC}; kernel {Gemm.DefaultKernel}; int8 kernel {Int8Gemm.DefaultKernel}");
    }
}
