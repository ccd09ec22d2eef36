using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

[Collection(ParallelismScope.Collection)]
public class AttentionTests
{
    private const float Masked = ReferenceKernels.TorchFloatMin;

    /// <summary>Additive key mask (batch, seqLen): batch b has its last b keys (at most all) padded.</summary>
    private static float[] PaddingMask(int batch, int seqLen)
    {
        var mask = new float[batch * seqLen];
        for (int b = 0; b < batch; b++)
        {
            for (int t = Math.Max(0, seqLen - b); t < seqLen; t++)
            {
                mask[(b * seqLen) + t] = Masked;
            }
        }

        return mask;
    }

    [Theory]
    [InlineData(2, 5, 12, 3, 0f)]
    [InlineData(2, 7, 16, 2, 0.3f)]
    [InlineData(3, 9, 8, 1, 0.1f)]
    [InlineData(1, 1, 4, 4, 0f)]
    public void ForwardMatchesReferenceWithPaddingAndDropout(int batch, int seqLen, int hidden, int heads, float p)
    {
        var random = new Random(71 + seqLen);
        var qkv = TestData.Uniform(random, batch * seqLen * 3 * hidden, -1.5f, 1.5f);
        var mask = PaddingMask(batch, seqLen);
        var output = new float[batch * seqLen * hidden];
        var probs = new float[batch * heads * seqLen * seqLen];
        var keep = p > 0 ? new byte[probs.Length] : [];
        Attention.Forward(output, probs, keep, qkv, mask, batch, seqLen, hidden, heads, p, seed: 5, stream: 17);

        var (expectedOut, expectedProbs) = ReferenceKernels.Attention(TestData.ToDouble(qkv), TestData.ToDouble(mask), p > 0 ? keep : null, batch, seqLen, hidden, heads, p);
        TestData.AssertClose(expectedProbs, probs, 1e-6, 1e-12, "probs");
        // Context = Σ_j p_j·v_j over ≤ 9 terms of O(1): float products/sums give ≈ 1e-7·Σ|p_j v_j| absolute.
        TestData.AssertClose(expectedOut, output, 1e-6, 1e-6, "context");

        var scalarOut = new float[output.Length];
        var scalarProbs = new float[probs.Length];
        Attention.ForwardScalar(scalarOut, scalarProbs, keep, qkv, mask, batch, seqLen, hidden, heads, p);
        TestData.AssertClose(expectedProbs, scalarProbs, 1e-6, 1e-12, "scalar probs");
        TestData.AssertClose(expectedOut, scalarOut, 1e-6, 1e-6, "scalar context");

        if (p > 0)
        {
            // The mask is the global (seed, stream) mask over the flat (batch, heads, seqLen, seqLen) tensor.
            var expectedKeep = new byte[probs.Length];
            Dropout.GenerateMaskScalar(expectedKeep, p, 5, 17);
            Assert.Equal(expectedKeep, keep);
        }
    }

    [Fact]
    public void InferenceForwardMatchesScalarSpecificationOnEverySequenceLength0To256()
    {
        // The inference pass keeps no probabilities (per-thread score scratch) but runs Forward's products and softmax
        // rows: bit-identical to Forward without dropout, on every sequence length 0..256 (every split of the products
        // into micro-tiles), head sizes 16, 8, 5, 1 and 64, with and without a padding mask; and within tolerance of the
        // scalar specification (and of the double reference at a few lengths).
        var random = new Random(29);
        var shapes = Enumerable.Range(0, 257).Select(t => (t, 48, 3)).Concat(Enumerable.Range(0, 40).Select(t => (t, 24, 3)))
            .Concat(Enumerable.Range(0, 40).Select(t => (t, 15, 3))).Concat([(17, 5, 5), (128, 128, 2), (129, 192, 3)]);
        foreach (var (seqLen, hidden, heads) in shapes)
        {
            int batch = 3;
            var qkv = TestData.Uniform(random, batch * seqLen * 3 * hidden, -1.5f, 1.5f);
            // Both mask variants up to 64 tokens, then alternately (keeps the test to a few seconds).
            float[][] masks = seqLen <= 64 ? [PaddingMask(batch, seqLen), []] : seqLen % 2 == 0 ? [PaddingMask(batch, seqLen)] : [[]];
            foreach (var mask in masks)
            {
                var spec = new float[batch * seqLen * hidden];
                Attention.ForwardScalar(spec, new float[batch * heads * seqLen * seqLen], default, qkv, mask, batch, seqLen, hidden, heads, 0f);
                var actual = new float[spec.Length];
                Attention.ForwardInference(actual, qkv, mask, batch, seqLen, hidden, heads);
                // Context = Σ_j p_j·v_j, |v| ≤ 1.5: float sums in different orders differ by ≈ 1e-7·Σ|p_j v_j|.
                TestData.AssertClose(TestData.ToDouble(spec), actual, 2e-5, 2e-6, $"seqLen {seqLen}, hidden {hidden}, heads {heads}");
                {
                    var expected = new float[spec.Length];
                    Attention.Forward(expected, new float[batch * heads * seqLen * seqLen], default, qkv, mask, batch, seqLen, hidden, heads, 0f, 0, 0);
                    Assert.Equal(expected, actual);
                }
                if (seqLen is 9 or 64 or 129 or 256)
                {
                    var (reference, _) = ReferenceKernels.Attention(TestData.ToDouble(qkv), mask.Length == 0 ? null : TestData.ToDouble(mask), null, batch, seqLen, hidden, heads, 0f);
                    TestData.AssertClose(reference, actual, 1e-5, 1e-6, $"reference, seqLen {seqLen}, hidden {hidden}");
                }
            }
        }
    }

    [Fact]
    public void PackedForwardMatchesTheDoubleReferenceOnValidPositions()
    {
        // Sequences of lengths 1..13 (every length, odd head sizes) packed without padding, against the reference on
        // the padded layout with prefix masks; only the valid rows exist in the packed output.
        int seqLen = 13, hidden = 12, heads = 3, batch = seqLen;
        var lengths = Enumerable.Range(1, batch).ToArray();
        var offsets = new int[batch];
        for (int b = 1; b < batch; b++) offsets[b] = offsets[b - 1] + lengths[b - 1];
        int rows = lengths.Sum();
        var random = new Random(5);
        var padded = TestData.Uniform(random, batch * seqLen * 3 * hidden, -1.5f, 1.5f);
        var mask = new float[batch * seqLen];
        var packed = new float[rows * 3 * hidden];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < seqLen; i++) mask[b * seqLen + i] = i < lengths[b] ? 0f : float.MinValue;
            padded.AsSpan(b * seqLen * 3 * hidden, lengths[b] * 3 * hidden).CopyTo(packed.AsSpan(offsets[b] * 3 * hidden));
        }
        var output = new float[rows * hidden];
        Attention.ForwardPacked(output, packed, lengths, offsets, hidden, heads);
        var (expected, _) = ReferenceKernels.Attention(TestData.ToDouble(padded), TestData.ToDouble(mask), null, batch, seqLen, hidden, heads, 0f);
        for (int b = 0; b < batch; b++)
        {
            var want = expected.AsSpan(b * seqLen * hidden, lengths[b] * hidden).ToArray();
            var got = output.AsSpan(offsets[b] * hidden, lengths[b] * hidden).ToArray();
            TestData.AssertClose(want, got, 1e-6, 1e-6, $"sequence {b}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FirstQueriesGetTheBitsOfTheFullPassFirstRows(bool packed)
    {
        // ForwardFirstQueries computes only each sequence's first row; the specification is the full inference
        // attention (packed, or padded with prefix masks), whose first rows it must reproduce bit for bit. Lengths
        // 1..40 and 127..129 cover partial tiles and lengths past one 128-key block; hidden 12 / 3 heads and 128 / 2.
        foreach (var (hidden, heads) in new[] { (12, 3), (128, 2) })
        {
            int[] lengths = [.. Enumerable.Range(1, 40), 127, 128, 129];
            int batch = lengths.Length, seqLen = lengths.Max();
            var offsets = new int[batch];
            for (int b = 0; b < batch; b++) offsets[b] = packed ? (b == 0 ? 0 : offsets[b - 1] + lengths[b - 1]) : b * seqLen;
            if (!packed) lengths = [.. Enumerable.Repeat(seqLen, batch)];
            var validLengths = Enumerable.Range(1, 40).Concat([127, 128, 129]).ToArray();
            int rows = packed ? lengths.Sum() : batch * seqLen;
            var qkv = TestData.Uniform(new Random(hidden), rows * 3 * hidden, -2f, 2f);
            var mask = new float[packed ? 0 : batch * seqLen];
            if (!packed)
            {
                for (int b = 0; b < batch; b++)
                    for (int i = validLengths[b]; i < seqLen; i++) mask[b * seqLen + i] = float.MinValue;
            }
            var full = new float[rows * hidden];
            if (packed) Attention.ForwardPacked(full, qkv, lengths, offsets, hidden, heads);
            else Attention.ForwardInference(full, qkv, mask, batch, seqLen, hidden, heads);
            var first = new float[batch * hidden];
            Attention.ForwardFirstQueries(first, qkv, lengths, offsets, mask, seqLen, hidden, heads);
            for (int b = 0; b < batch; b++)
                Assert.Equal(full.AsSpan(offsets[b] * hidden, hidden).ToArray(), first.AsSpan(b * hidden, hidden).ToArray());
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.2f)]
    public void BackwardOverwritingEqualsClearingAndAdding(float p)
    {
        // accumulate: false writes every element of dQkv exactly once: the same values as clearing it and adding.
        int batch = 3, seqLen = 9, hidden = 12, heads = 3;
        var random = new Random(23);
        var qkv = TestData.Uniform(random, batch * seqLen * 3 * hidden, -1.5f, 1.5f);
        var dOut = TestData.Uniform(random, batch * seqLen * hidden, -1f, 1f);
        var mask = PaddingMask(batch, seqLen);
        var output = new float[batch * seqLen * hidden];
        var probs = new float[batch * heads * seqLen * seqLen];
        var keep = p > 0 ? new byte[probs.Length] : [];
        Attention.Forward(output, probs, keep, qkv, mask, batch, seqLen, hidden, heads, p, seed: 3, stream: 4);
        var added = new float[qkv.Length];
        Attention.Backward(added, dOut, qkv, probs, keep, batch, seqLen, hidden, heads, p);
        var written = TestData.Uniform(random, qkv.Length, 5f, 9f); // stale values that must all be replaced
        Attention.Backward(written, dOut, qkv, probs, keep, batch, seqLen, hidden, heads, p, accumulate: false);
        Assert.Equal(added, written);
    }

    [Fact]
    public void FullyMaskedSequenceAttendsUniformlyLikeHuggingFace()
    {
        const int seqLen = 4, hidden = 6, heads = 2;
        var qkv = TestData.Uniform(new Random(72), seqLen * 3 * hidden, -2f, 2f);
        var mask = Enumerable.Repeat(Masked, seqLen).ToArray();
        var output = new float[seqLen * hidden];
        var probs = new float[heads * seqLen * seqLen];
        Attention.Forward(output, probs, default, qkv, mask, 1, seqLen, hidden, heads, 0f, 0, 0);
        Assert.All(probs, v => Assert.Equal(0.25, v, 7));
        var (expectedOut, _) = ReferenceKernels.Attention(TestData.ToDouble(qkv), TestData.ToDouble(mask), null, 1, seqLen, hidden, heads, 0);
        TestData.AssertClose(expectedOut, output, 1e-6, 1e-6, "uniform context");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.25f)]
    public void BackwardMatchesFiniteDifferencesWithPaddingAndFixedDropoutMask(float p)
    {
        const int batch = 2, seqLen = 4, hidden = 6, heads = 2;
        var random = new Random(73);
        var qkv = TestData.Uniform(random, batch * seqLen * 3 * hidden, -1f, 1f);
        var mask = PaddingMask(batch, seqLen);
        var probs = new float[batch * heads * seqLen * seqLen];
        var keep = p > 0 ? new byte[probs.Length] : [];
        Attention.Forward(new float[batch * seqLen * hidden], probs, keep, qkv, mask, batch, seqLen, hidden, heads, p, 11, 2);
        if (p > 0)
        {
            Assert.Contains((byte)0, keep);   // the check must actually exercise dropped entries
        }

        var w = TestData.Uniform(random, batch * seqLen * hidden);
        var prior = TestData.Uniform(random, qkv.Length);
        var dQkv = (float[])prior.Clone();
        Attention.Backward(dQkv, w, qkv, probs, keep, batch, seqLen, hidden, heads, p);
        for (int i = 0; i < dQkv.Length; i++)
        {
            dQkv[i] -= prior[i];
        }

        var maskD = TestData.ToDouble(mask);
        var numeric = GradientCheck.Numerical(
            x => GradientCheck.Project(ReferenceKernels.Attention(x, maskD, p > 0 ? keep : null, batch, seqLen, hidden, heads, p).Output, w),
            TestData.ToDouble(qkv));
        // Float scores/probabilities (~1e-7 relative) through two matrix products of inner size ≤ 4: 1e-5 relative on
        // the gradient scale, with a 1% floor for components (e.g. padded keys' dK ≈ 0) that are tiny vs the whole.
        GradientCheck.AssertClose(dQkv, numeric, 1e-5, $"dQkv p={p}", 1e-2);
    }

    [Fact]
    public void LargeProblemIsThreadCountIndependent()
    {
        const int batch = 2, seqLen = 40, hidden = 32, heads = 4;
        const float p = 0.1f;
        var random = new Random(74);
        var qkv = TestData.Uniform(random, batch * seqLen * 3 * hidden);
        var mask = PaddingMask(batch, seqLen);
        var g = TestData.Uniform(random, batch * seqLen * hidden);
        (float[], float[], byte[], float[]) Run()
        {
            var o = new float[batch * seqLen * hidden];
            var pr = new float[batch * heads * seqLen * seqLen];
            var k = new byte[pr.Length];
            var d = new float[qkv.Length];
            Attention.Forward(o, pr, k, qkv, mask, batch, seqLen, hidden, heads, p, 3, 9);
            Attention.Backward(d, g, qkv, pr, k, batch, seqLen, hidden, heads, p);
            return (o, pr, k, d);
        }

        var parallel = Run();
        (float[], float[], byte[], float[]) serial;
        using (new ParallelismScope(1))
        {
            serial = Run();
        }

        Assert.Equal(serial.Item1, parallel.Item1);
        Assert.Equal(serial.Item2, parallel.Item2);
        Assert.Equal(serial.Item3, parallel.Item3);
        Assert.Equal(serial.Item4, parallel.Item4);
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        var qkv = new float[2 * 3 * 3 * 4];
        Assert.Throws<ArgumentOutOfRangeException>(() => Attention.Forward(new float[24], new float[36], default, qkv, default, 2, 3, 4, 3, 0f, 0, 0));
        Assert.Throws<ArgumentException>(() => Attention.Forward(new float[23], new float[36], default, qkv, default, 2, 3, 4, 2, 0f, 0, 0));
        Assert.Throws<ArgumentException>(() => Attention.Forward(new float[24], new float[35], default, qkv, default, 2, 3, 4, 2, 0f, 0, 0));
        Assert.Throws<ArgumentException>(() => Attention.Forward(new float[24], new float[36], new byte[35], qkv, default, 2, 3, 4, 2, 0.1f, 0, 0));
        Assert.Throws<ArgumentException>(() => Attention.Forward(new float[24], new float[36], default, qkv, new float[5], 2, 3, 4, 2, 0f, 0, 0));
        Assert.Throws<ArgumentException>(() => Attention.Backward(new float[71], new float[24], qkv, new float[36], default, 2, 3, 4, 2, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Attention.Backward(new float[72], new float[24], qkv, new float[36], default, 2, 3, 4, 2, 2f));
    }
}
