using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.Training;

public class AdamWTests
{
    private static readonly BertConfig Tiny = new()
    {
        VocabSize = 11, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 12, MaxPositionEmbeddings = 5,
    };

    /// <summary>torch.optim.AdamW written out in double, one element at a time.</summary>
    private static void Reference(double[] p, double[] m, double[] v, float[] g, bool[] decay, double lr, AdamWOptions o, long step)
    {
        for (int i = 0; i < p.Length; i++)
        {
            if (!o.DecayAfterUpdate && decay[i]) p[i] *= 1 - lr * o.WeightDecay;
            m[i] = o.Beta1 * m[i] + (1 - o.Beta1) * g[i];
            v[i] = o.Beta2 * v[i] + (1 - o.Beta2) * g[i] * g[i];
            double bc1 = o.BiasCorrection ? 1 - Math.Pow(o.Beta1, step) : 1;
            double bc2 = o.BiasCorrection ? 1 - Math.Pow(o.Beta2, step) : 1;
            p[i] -= lr / bc1 * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(bc2) + o.Epsilon);
            if (o.DecayAfterUpdate && decay[i]) p[i] *= 1 - lr * o.WeightDecay;
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void MatchesTheFormulaOverSeveralSteps(bool biasCorrection, bool decayAfter)
    {
        var layout = new BertParameterLayout(Tiny, BertHeads.Classification(3));
        var options = new AdamWOptions { BiasCorrection = biasCorrection, DecayAfterUpdate = decayAfter, WeightDecay = 0.1f, Epsilon = 1e-6f, Beta2 = 0.98f };
        var opt = new AdamW(layout, options);
        var rng = new Random(3);
        var parameters = Enumerable.Range(0, layout.Count).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var p = parameters.Select(x => (double)x).ToArray();
        var m = new double[p.Length];
        var v = new double[p.Length];
        var decay = new bool[p.Length];
        foreach (var s in layout.Slices) decay.AsSpan(s.Offset, s.Length).Fill(s.WeightDecay);
        for (int step = 1; step <= 4; step++)
        {
            var g = Enumerable.Range(0, p.Length).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.1f).ToArray();
            float lr = 0.01f * step;
            opt.Update(parameters, g, lr);
            Reference(p, m, v, g, decay, lr, options, step);
        }
        Assert.Equal(4, opt.Step);
        for (int i = 0; i < p.Length; i++)
            Assert.True(Math.Abs(parameters[i] - p[i]) <= 1e-5 * (1 + Math.Abs(p[i])), $"element {i}: {parameters[i]} vs {p[i]}");
    }

    [Fact]
    public void BiasesAndLayerNormWeightsAreNotDecayed()
    {
        var layout = new BertParameterLayout(Tiny, BertHeads.Pretraining);
        var opt = new AdamW(layout, new AdamWOptions { WeightDecay = 0.5f });
        var parameters = Enumerable.Repeat(1f, layout.Count).ToArray();
        opt.Update(parameters, new float[layout.Count], 0.1f); // zero gradient: only decay moves anything
        foreach (var s in layout.Slices)
        {
            bool expectDecay = !(s.Name.EndsWith(".bias", StringComparison.Ordinal) || s.Name.Contains("LayerNorm", StringComparison.Ordinal));
            Assert.Equal(expectDecay, s.WeightDecay);
            Assert.All(s.Of(parameters).ToArray(), x => Assert.Equal(expectDecay ? 0.95f : 1f, x));
        }
    }
}
