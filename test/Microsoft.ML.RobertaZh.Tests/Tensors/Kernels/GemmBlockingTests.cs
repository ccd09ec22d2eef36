using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

public class GemmBlockingTests
{
    [Theory]
    [InlineData("32K", 32 * 1024)]
    [InlineData("1024K", 1024 * 1024)]
    [InlineData("32M", 32L * 1024 * 1024)]
    [InlineData("49152", 49152)]
    public void ParsesSysfsSizes(string text, long bytes) => Assert.Equal(bytes, CpuCaches.ParseSize(text));

    [Theory]
    [InlineData("0-1", 2)]
    [InlineData("0", 1)]
    [InlineData("0-3,8,10-11", 7)]
    [InlineData("", 1)]
    public void CountsSharedCpuLists(string list, int count) => Assert.Equal(count, CpuCaches.CountCpus(list));

    [Fact]
    public void ReadsASysfsCacheDirectory()
    {
        string dir = Directory.CreateTempSubdirectory("caches").FullName;
        try
        {
            void Index(int i, string level, string type, string size, string shared)
            {
                string d = Directory.CreateDirectory(Path.Combine(dir, $"index{i}")).FullName;
                File.WriteAllText(Path.Combine(d, "level"), level + "\n");
                File.WriteAllText(Path.Combine(d, "type"), type + "\n");
                File.WriteAllText(Path.Combine(d, "size"), size + "\n");
                File.WriteAllText(Path.Combine(d, "shared_cpu_list"), shared + "\n");
            }
            Index(0, "1", "Data", "48K", "0");
            Index(1, "1", "Instruction", "32K", "0");
            Index(2, "2", "Unified", "2048K", "0");
            Index(3, "3", "Unified", "105M", "0-55");
            var caches = CpuCaches.FromSysfs(dir);
            Assert.Equal(new CpuCaches(48 * 1024, 2048 * 1024, 105L * 1024 * 1024, 56, "sysfs"), caches);
            Assert.Null(CpuCaches.FromSysfs(Path.Combine(dir, "missing")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void BlockingFollowsTheCacheSizes()
    {
        // A Zen 4 core (32 KiB L1d, 1 MiB L2, 32 MiB L3 for 2 visible cores), AVX-512 kernel (32 wide):
        // KC = 32768 / 128 = 256, MC = 512 KiB / 1 KiB = 512 → 510 (multiple of 6), NC capped at 4096.
        var zen4 = new CpuCaches(32 * 1024, 1024 * 1024, 32L * 1024 * 1024, 2, "test");
        Assert.Equal(new GemmBlocking(256, 510, 4096), GemmBlocking.Derive(zen4, 32, 2));
        // The AVX2 kernel (16 wide) on the same core goes deeper, to the 384 cap; MC shrinks to keep A in half the L2.
        Assert.Equal(new GemmBlocking(384, 336, 4096), GemmBlocking.Derive(zen4, 16, 2));
        // A larger L1 (48 KiB, Intel since Ice Lake) deepens KC; a small L2 and no L3 shrink MC and NC.
        var small = new CpuCaches(48 * 1024, 256 * 1024, 0, 1, "test");
        var blocks = GemmBlocking.Derive(small, 32, 4);
        Assert.Equal(384, blocks.KC);
        Assert.Equal(84, blocks.MC);   // 128 KiB / (384·4) = 85 → 84
        Assert.Equal(256, blocks.NC);  // 128 KiB / 1536 = 85 → 64, raised to the minimum of 8 kernel widths
    }

    [Fact]
    public void EveryKernelIsRightWithTinyBlocksOnEveryForm()
    {
        // Tiny blocks make even small products run many k, m and n blocks, serial and parallel.
        var saved = GemmBlocking.Override;
        GemmBlocking.Override = new GemmBlocking(KC: 16, MC: 12, NC: 48);
        try
        {
            foreach (var kernel in new[] { GemmKernel.Avx512, GemmKernel.Avx2, GemmKernel.Portable }.Where(Gemm.IsSupported))
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        foreach (bool parallel in new[] { false, true })
                            Check(ta, tb, 37, 101, 53, kernel, parallel);
        }
        finally
        {
            GemmBlocking.Override = saved;
        }
    }

    [Fact]
    public void EpilogueSeesEveryRowOnceAndOnlyWhenFinal()
    {
        // Fused per row block (one column block) or run after the product (several column blocks, column chunks),
        // serial and parallel: each row must be handed over exactly once, holding its final values.
        var saved = GemmBlocking.Override;
        try
        {
            foreach (var blocking in new GemmBlocking?[] { null, new GemmBlocking(KC: 16, MC: 12, NC: 48) })
            {
                GemmBlocking.Override = blocking;
                foreach (var (m, n, k) in new[] { (301, 95, 257), (40, 700, 57), (7, 130, 300), (500, 64, 600) })
                    foreach (bool parallel in new[] { false, true })
                    {
                        float[] a = ReferenceGemm.RandomFloats(m * k, 1), b = ReferenceGemm.RandomFloats(n * k, 2), bias = ReferenceGemm.RandomFloats(n, 3);
                        var plain = new float[m * n];
                        Gemm.Multiply(false, true, m, n, k, a, k, b, k, plain, n, false, bias, parallel, GemmKernel.Auto);
                        var c = new float[m * n];
                        var seen = new int[m];
                        bool allFinal = true;
                        Gemm.Multiply(false, true, m, n, k, a, k, b, k, c, n, false, bias, parallel, GemmKernel.Auto, (first, count) =>
                        {
                            for (int r = first; r < first + count; r++)
                            {
                                Interlocked.Increment(ref seen[r]);
                                if (!c.AsSpan(r * n, n).SequenceEqual(plain.AsSpan(r * n, n))) allFinal = false;
                            }
                        });
                        Assert.All(seen, s => Assert.Equal(1, s));
                        Assert.True(allFinal, $"a row was handed to the epilogue before it was final (m={m}, n={n}, k={k}, parallel={parallel})");
                        Assert.Equal(plain, c);
                    }
            }
        }
        finally
        {
            GemmBlocking.Override = saved;
        }
    }

    private static void Check(bool ta, bool tb, int m, int n, int k, GemmKernel kernel, bool parallel)
    {
        float[] a = ReferenceGemm.RandomFloats(m * k, 1), b = ReferenceGemm.RandomFloats(k * n, 2);
        float[] bias = ReferenceGemm.RandomFloats(n, 3);
        int lda = ta ? m : k, ldb = tb ? k : n;
        var c = new float[m * n];
        Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, n, false, bias, parallel, kernel);
        var (expected, magnitude) = ReferenceGemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, new float[m * n], n, false, bias);
        for (int i = 0; i < m * n; i++)
            Assert.True(Math.Abs(c[i] - expected[i]) <= GemmTests.Tolerance(k, magnitude[i]), $"{kernel} ta={ta} tb={tb} parallel={parallel}: C[{i}] = {c[i]}, expected {expected[i]}");
    }
}
