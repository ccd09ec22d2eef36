using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

public unsafe class Avx512VnniTileTests
{
    /// <summary>The tile's definition over the packed layout (as Int8Gemm's scalar kernel).</summary>
    private static int[] Reference(int groups, byte[] a, int lda, sbyte[] panels)
    {
        var tile = new int[6 * 32];
        for (int r = 0; r < 6; r++)
        {
            for (int c = 0; c < 32; c++)
            {
                int sum = 0;
                for (int g = 0; g < groups; g++)
                {
                    for (int t = 0; t < 4; t++) sum += a[r * lda + 4 * g + t] * panels[(c / 16) * groups * 64 + g * 64 + (c % 16) * 4 + t];
                }
                tile[r * 32 + c] = sum;
            }
        }
        return tile;
    }

    [Fact]
    public void IsAvailableExactlyWhereTheOsAndCpuAllowIt()
    {
        bool expected = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64 && Avx512BW.IsSupported
            && (X86Base.CpuId(7, 0).Ecx & (1 << 11)) != 0;
        Assert.Equal(expected, Avx512VnniTile.IsSupported);
        Assert.Equal(expected, Int8Gemm.IsSupported(Int8Kernel.Avx512Vnni));
        if (expected) Assert.Equal(Int8Kernel.Avx512Vnni, Int8Gemm.BestKernel);
    }

    [Fact]
    public void EqualsTheDefinitionForEveryDepthStrideAndExtremeCode()
    {
        if (!Avx512VnniTile.IsSupported)
        {
            // Here (no AVX512-VNNI, not Linux x64, or .NET's AVX-512 switched off): asking for it is a clear error.
            using var weights = new QuantizedWeights(new float[32 * 8], 32, 8);
            var e = Assert.Throws<PlatformNotSupportedException>(() => Int8Gemm.Forward(new float[32], new float[8], weights, default, 1, kernel: Int8Kernel.Avx512Vnni));
            Assert.Contains("Avx512Vnni", e.Message);
            return;
        }
        var rng = new Random(11);
        for (int groups = 1; groups <= 80; groups++)
        {
            foreach (int extra in new[] { 0, 4, 13 })
            {
                int lda = 4 * groups + extra;
                var a = new byte[6 * lda];
                var panels = new sbyte[2 * groups * 64];
                bool extremes = groups % 5 == 0; // every product at its largest magnitude: 255 · ±32
                for (int i = 0; i < a.Length; i++) a[i] = extremes ? (byte)255 : (byte)rng.Next(1, 256);
                for (int i = 0; i < panels.Length; i++) panels[i] = extremes ? (sbyte)(i % 3 == 0 ? 32 : -32) : (sbyte)rng.Next(-32, 33);
                var expected = Reference(groups, a, lda, panels);
                var tile = new int[6 * 32];
                fixed (byte* pa = a)
                fixed (sbyte* pp = panels)
                fixed (int* pt = tile)
                {
                    Avx512VnniTile.Run(groups, pa, lda, pp, pt);
                }
                Assert.True(expected.AsSpan().SequenceEqual(tile), $"groups {groups}, lda {lda}: first difference at {expected.AsSpan().CommonPrefixLength(tile)}");
            }
        }
    }

    [Fact]
    public void MachineCodeIsWhatItsAssemblySourceAssemblesTo()
    {
        if (!OperatingSystem.IsLinux())
        {
            // GNU as is a Linux tool here; the bytes are checked on every Linux test run (CI included).
            Assert.False(Avx512VnniTile.IsSupported);
            return;
        }
        string source = Path.Combine(Fixtures.RepositoryRoot, "src", "Microsoft.ML.RobertaZh", "Tensors", "Kernels", "Avx512VnniTile.S");
        string dir = Directory.CreateTempSubdirectory("vnni-tile-").FullName;
        try
        {
            string obj = Path.Combine(dir, "tile.o"), bin = Path.Combine(dir, "tile.bin");
            Run("as", $"-o \"{obj}\" \"{source}\"");
            Run("objcopy", $"-O binary -j .text \"{obj}\" \"{bin}\"");
            byte[] assembled = File.ReadAllBytes(bin);
            Assert.True(assembled.AsSpan().SequenceEqual(Avx512VnniTile.Code),
                $"Avx512VnniTile.Code ({Avx512VnniTile.Code.Length} bytes) is not what Avx512VnniTile.S assembles to ({assembled.Length} bytes, first difference at {assembled.AsSpan().CommonPrefixLength(Avx512VnniTile.Code)}): regenerate the bytes.");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Run(string tool, string arguments)
    {
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{tool}' (GNU binutils) is needed to check the VNNI tile's machine code against its source: install binutils. ({e.Message})", e);
        }
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {arguments} exited {process.ExitCode}: {errors}");
    }

    [Fact]
    public void TheKernelVariableSelectsAKernelOrSaysWhatItAccepts()
    {
        Assert.Equal(Int8Gemm.BestKernel, Int8Gemm.ChooseKernel(null));
        Assert.Equal(Int8Gemm.BestKernel, Int8Gemm.ChooseKernel(" "));
        Assert.Equal(Int8Gemm.BestKernel, Int8Gemm.ChooseKernel("auto"));
        Assert.Equal(Int8Kernel.Scalar, Int8Gemm.ChooseKernel("Scalar"));
        Assert.Equal(Int8Gemm.BestKernel, Int8Gemm.ChooseKernel(Int8Gemm.BestKernel.ToString().ToLowerInvariant()));
        foreach (string bad in new[] { "fast", "3", "avx512" })
        {
            var e = Assert.Throws<InvalidOperationException>(() => Int8Gemm.ChooseKernel(bad));
            Assert.Contains("ROBERTAZH_INT8_KERNEL", e.Message);
            Assert.Contains("avx512vnni, avxvnni, avx512bw, avx2, scalar", e.Message);
        }
        foreach (var kernel in Enum.GetValues<Int8Kernel>().Where(k => !Int8Gemm.IsSupported(k)))
        {
            var e = Assert.Throws<InvalidOperationException>(() => Int8Gemm.ChooseKernel(kernel.ToString()));
            Assert.Contains("does not support", e.Message);
        }
    }
}
