using Microsoft.ML.RobertaZh.Tensors;
using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

[Collection(ParallelismScope.Collection)]
public class DropoutTests
{
    [Theory]
    // Random123 known-answer vectors for philox4x32-10 (counter words, key words, output words).
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void PhiloxMatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint x0, uint x1, uint x2, uint x3)
    {
        Assert.Equal((x0, x1, x2, x3), CounterRng.Philox4x32(c0, c1, c2, c3, k0, k1));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(0xFFFFFFFEUL)]           // the block index carries into its high counter word inside the 4 blocks
    [InlineData(0x123456789ABCDEFUL)]
    public void FourBlockPhiloxEqualsScalarBlocks(ulong firstBlock)
    {
        const ulong seed = 0xDEADBEEF12345678UL, stream = 0x0123456789UL;
        var (x0, x1, x2, x3) = CounterRng.Blocks4(seed, stream, firstBlock);
        for (int l = 0; l < 4; l++)
        {
            var expected = CounterRng.Block(seed, stream, firstBlock + (ulong)l);
            Assert.Equal(expected, ((uint)x0[l], (uint)x1[l], (uint)x2[l], (uint)x3[l]));
        }
    }

    [Fact]
    public void DropRateIsCloseToPAndMasksAreReproducible()
    {
        const int n = 1_000_000;
        foreach (float p in new[] { 0.1f, 0.5f, 0.9f })
        {
            var mask = new byte[n];
            Dropout.GenerateMask(mask, p, seed: 42, stream: 7);
            int dropped = mask.Count(m => m == 0);
            // Binomial(n, p): 6 standard deviations (false-failure probability ~1e-9).
            double sigma = Math.Sqrt(n * p * (1 - p));
            Assert.True(Math.Abs(dropped - (n * p)) <= 6 * sigma, $"p={p}: dropped {dropped} of {n}");
            var again = new byte[n];
            Dropout.GenerateMask(again, p, seed: 42, stream: 7);
            Assert.Equal(mask, again);
        }
    }

    [Fact]
    public void DifferentStreamsAndSeedsGiveDifferentMasks()
    {
        var a = new byte[4096];
        var b = new byte[4096];
        var c = new byte[4096];
        Dropout.GenerateMask(a, 0.5f, 1, 0);
        Dropout.GenerateMask(b, 0.5f, 1, 1);
        Dropout.GenerateMask(c, 0.5f, 2, 0);
        // Independent masks at p = 0.5 agree on ~50% of positions.
        Assert.InRange(a.Zip(b).Count(t => t.First == t.Second), 1700, 2400);
        Assert.InRange(a.Zip(c).Count(t => t.First == t.Second), 1700, 2400);
    }

    [Fact]
    public void MaskIsIndependentOfThreadCountChunkingAndMatchesScalarSpec()
    {
        const int n = 300_001;
        var parallel = new byte[n];
        var serial = new byte[n];
        Dropout.GenerateMask(parallel, 0.3f, 9, 3);
        using (new ParallelismScope(1))
        {
            Dropout.GenerateMask(serial, 0.3f, 9, 3);
        }

        Assert.Equal(serial, parallel);

        // Slices generated with their offsets (including unaligned ones) reproduce the whole mask.
        var pieces = new byte[n];
        int[] cuts = [0, 1, 6, 7, 8, 13, 1000, 65_537, 200_003, n];
        for (int i = 0; i + 1 < cuts.Length; i++)
        {
            Dropout.GenerateMask(pieces.AsSpan(cuts[i], cuts[i + 1] - cuts[i]), 0.3f, 9, 3, (ulong)cuts[i]);
        }

        Assert.Equal(parallel, pieces);

        for (int len = 0; len <= 80; len++)
        {
            for (ulong offset = 0; offset < 5; offset++)
            {
                var fast = new byte[len];
                var spec = new byte[len];
                Dropout.GenerateMask(fast, 0.3f, 5, 6, offset);
                Dropout.GenerateMaskScalar(spec, 0.3f, 5, 6, offset);
                Assert.Equal(spec, fast);
            }
        }
    }

    [Fact]
    public void ForwardAndBackwardApplyTheMaskWithInvertedScaling()
    {
        var random = new Random(21);
        for (int n = 0; n <= 256; n++)
        {
            const float p = 0.25f;
            var x = TestData.Uniform(random, n);
            var y = new float[n];
            var mask = new byte[n];
            Dropout.Forward(y, mask, x, p, 3, 4);
            float scale = 1f / (1f - p);
            var expectedMask = new byte[n];
            Dropout.GenerateMaskScalar(expectedMask, p, 3, 4);
            Assert.Equal(expectedMask, mask);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(mask[i] != 0 ? x[i] * scale : 0f, y[i]);
            }

            var g = TestData.Uniform(random, n);
            var prior = TestData.Uniform(random, n);
            var d = (float[])prior.Clone();
            Dropout.Backward(d, g, mask, p);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(prior[i] + (mask[i] != 0 ? g[i] * scale : 0f), d[i]);
            }
        }
    }

    [Fact]
    public void ZeroProbabilityCopiesWithoutMaskAndOneDropsEverything()
    {
        var x = TestData.Uniform(new Random(22), 19);
        var y = new float[19];
        Dropout.Forward(y, Span<byte>.Empty, x, 0f, 1, 1);
        Assert.Equal(x, y);
        var d = new float[19];
        Dropout.Backward(d, x, ReadOnlySpan<byte>.Empty, 0f);
        Assert.Equal(x, d);

        var mask = new byte[19];
        Dropout.Forward(y, mask, x, 1f, 1, 1);
        Assert.All(y, v => Assert.Equal(0f, v));
        Assert.All(mask, m => Assert.Equal(0, m));
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Forward(new float[4], new byte[4], new float[4], 1.5f, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Forward(new float[4], new byte[4], new float[4], float.NaN, 0, 0));
        Assert.Throws<ArgumentException>(() => Dropout.Forward(new float[4], new byte[3], new float[4], 0.5f, 0, 0));
        Assert.Throws<ArgumentException>(() => Dropout.Forward(new float[3], new byte[4], new float[4], 0.5f, 0, 0));
        Assert.Throws<ArgumentException>(() => Dropout.Backward(new float[4], new float[4], new byte[3], 0.5f));
    }
}
