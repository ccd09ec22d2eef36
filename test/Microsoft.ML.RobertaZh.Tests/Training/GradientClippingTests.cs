using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.Training;

public class GradientClippingTests
{
    [Fact]
    public void ScalesToTheMaximumNormWhenAbove()
    {
        var rng = new Random(5);
        var g = Enumerable.Range(0, 10_001).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        double expected = Math.Sqrt(g.Sum(x => (double)x * x));
        double norm = GradientClipping.ClipByGlobalNorm(g, 1.0);
        // Float partial sums (vectorized or not) against a double reference: agreement to ~1e-7 relative.
        Assert.True(Math.Abs(norm - expected) <= 1e-6 * expected, $"norm {norm} vs {expected}");
        Assert.Equal(1.0 / (1 + 1e-6 / expected), GradientClipping.GlobalNorm(g), 4);
    }

    [Fact]
    public void LeavesSmallGradientsAlone()
    {
        float[] g = [0.3f, -0.4f];
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm(g, 1.0), 6);
        Assert.Equal([0.3f, -0.4f], g);
    }
}
