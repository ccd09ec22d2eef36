using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

[Collection(ParallelismScope.Collection)]
public class EmbeddingTests
{
    [Theory]
    [InlineData(2, 5, 7, true)]
    [InlineData(3, 4, 33, false)]
    [InlineData(1, 9, 64, true)]
    public void ForwardMatchesReferenceAndScalarSpec(int batch, int seqLen, int hidden, bool withTypes)
    {
        var random = new Random(61 + hidden);
        const int vocab = 11, maxPos = 12, typeVocab = 2;
        var word = TestData.Uniform(random, vocab * hidden);
        var pos = TestData.Uniform(random, maxPos * hidden);
        var type = TestData.Uniform(random, typeVocab * hidden);
        var ids = Enumerable.Range(0, batch * seqLen).Select(_ => random.Next(vocab)).ToArray();
        int[]? types = withTypes ? Enumerable.Range(0, batch * seqLen).Select(_ => random.Next(typeVocab)).ToArray() : null;
        var y = new float[batch * seqLen * hidden];
        Embedding.Forward(y, ids, types, word, pos, type, batch, seqLen, hidden);
        var expected = ReferenceKernels.Embedding(ids, types, TestData.ToDouble(word), TestData.ToDouble(pos), TestData.ToDouble(type), batch, seqLen, hidden);
        // Two float additions of O(1) values: ≤ 2 ulp of the magnitude.
        TestData.AssertClose(expected, y, 1e-6, 4e-7, "embedding");
        var s = new float[y.Length];
        Embedding.ForwardScalar(s, ids, types, word, pos, type, batch, seqLen, hidden);
        Assert.Equal(s, y);   // same addition order as HF, so bit-identical
    }

    [Fact]
    public void InvalidIdsThrowNamingIdPositionAndTableSize()
    {
        var table = new float[4 * 3];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Embedding.Forward(new float[2 * 2 * 3], [0, 1, 2, 9], default, table, new float[8 * 3], new float[2 * 3], 2, 2, 3));
        Assert.Contains("Id 9", e.Message, StringComparison.Ordinal);
        Assert.Contains("position 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("4 rows", e.Message, StringComparison.Ordinal);
        Assert.Equal("inputIds", e.ParamName);
        var t = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Embedding.Forward(new float[4 * 3], [0, 1, 2, 3], [0, 0, 2, 0], table, new float[8 * 3], new float[2 * 3], 1, 4, 3));
        Assert.Equal("tokenTypeIds", t.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Embedding.Forward(new float[4 * 3], [0, 1, 2, -1], default, table, new float[8 * 3], new float[2 * 3], 1, 4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Embedding.Forward(new float[9 * 3], new int[9], default, table, new float[8 * 3], new float[2 * 3], 1, 9, 3));
        Assert.Throws<ArgumentException>(() =>
            Embedding.Forward(new float[3], [0, 1], default, table, new float[8 * 3], new float[2 * 3], 1, 2, 3));
    }

    [Fact]
    public void BackwardScatterAddsDuplicatesAndMatchesFiniteDifferences()
    {
        var random = new Random(62);
        const int batch = 2, seqLen = 3, hidden = 5, vocab = 4, maxPos = 4, typeVocab = 2;
        int[] ids = [1, 3, 1, 1, 0, 3];
        int[] types = [0, 1, 1, 0, 0, 1];
        var word = TestData.Uniform(random, vocab * hidden);
        var pos = TestData.Uniform(random, maxPos * hidden);
        var type = TestData.Uniform(random, typeVocab * hidden);
        var g = TestData.Uniform(random, batch * seqLen * hidden);
        var dWord = new float[vocab * hidden];
        var dPos = new float[maxPos * hidden];
        var dType = new float[typeVocab * hidden];
        Embedding.Backward(dWord, dPos, dType, g, ids, types, batch, seqLen, hidden);

        var wd = TestData.ToDouble(word);
        var pd = TestData.ToDouble(pos);
        var td = TestData.ToDouble(type);
        // Sums of ≤ 3 float terms: exact to ~1e-7; the reference is linear so differences are exact up to rounding.
        GradientCheck.AssertClose(dWord, GradientCheck.Numerical(v => GradientCheck.Project(ReferenceKernels.Embedding(ids, types, v, pd, td, batch, seqLen, hidden), g), wd), 1e-6, "dWord");
        GradientCheck.AssertClose(dPos, GradientCheck.Numerical(v => GradientCheck.Project(ReferenceKernels.Embedding(ids, types, wd, v, td, batch, seqLen, hidden), g), pd), 1e-6, "dPos");
        GradientCheck.AssertClose(dType, GradientCheck.Numerical(v => GradientCheck.Project(ReferenceKernels.Embedding(ids, types, wd, pd, v, batch, seqLen, hidden), g), td), 1e-6, "dType");
        Assert.All(dPos.AsSpan(seqLen * hidden).ToArray(), v => Assert.Equal(0f, v));   // unused positions untouched
        Assert.All(dWord.AsSpan(2 * hidden, hidden).ToArray(), v => Assert.Equal(0f, v)); // unused id untouched

        // Empty position/type gradients are skipped; word gradient keeps accumulating.
        Embedding.Backward(dWord, default, default, g, ids, types, batch, seqLen, hidden);
        Assert.Equal((double)g[0] * 2, dWord[(1 * hidden) + 0] - (double)g[2 * hidden] * 2 - (double)g[3 * hidden] * 2, 5);
    }

    [Fact]
    public void LargeBackwardIsThreadCountIndependent()
    {
        var random = new Random(63);
        const int batch = 4, seqLen = 128, hidden = 200, vocab = 50;
        var ids = Enumerable.Range(0, batch * seqLen).Select(_ => random.Next(vocab)).ToArray();
        var types = Enumerable.Range(0, batch * seqLen).Select(_ => random.Next(2)).ToArray();
        var g = TestData.Uniform(random, batch * seqLen * hidden);
        (float[], float[], float[]) Run()
        {
            var w = new float[vocab * hidden];
            var p = new float[seqLen * hidden];
            var t = new float[2 * hidden];
            Embedding.Backward(w, p, t, g, ids, types, batch, seqLen, hidden);
            return (w, p, t);
        }

        var parallel = Run();
        (float[], float[], float[]) serial;
        using (new ParallelismScope(1))
        {
            serial = Run();
        }

        Assert.Equal(serial.Item1, parallel.Item1);
        Assert.Equal(serial.Item2, parallel.Item2);
        Assert.Equal(serial.Item3, parallel.Item3);
    }
}
