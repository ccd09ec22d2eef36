using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Tensors.Kernels;

[Collection(ParallelismScope.Collection)]
public class CrossEntropyTests
{
    [Fact]
    public void ForwardEveryClassCount1To256MatchesTorchSemantics()
    {
        var random = new Random(51);
        for (int classes = 1; classes <= 256; classes++)
        {
            const int rows = 3;
            var logits = TestData.Uniform(random, rows * classes, -10f, 10f);
            int[] targets = [random.Next(classes), -100, random.Next(classes)];
            var losses = new float[rows];
            var probs = new float[rows * classes];
            float mean = CrossEntropy.Forward(losses, probs, logits, targets, rows, classes, out int count);
            var (expectedLosses, expectedMean, expectedCount) = ReferenceKernels.CrossEntropy(TestData.ToDouble(logits), targets, rows, classes, -100);
            Assert.Equal(expectedCount, count);
            // Loss = log Σ exp(x − max) − (x_t − max): a difference of O(|x|) terms, so ≈ ε·|x| absolute error.
            TestData.AssertClose(expectedLosses, losses, 1e-6, 2e-6, $"losses classes={classes}");
            Assert.Equal(expectedMean, mean, 5e-6);
            Assert.Equal(0f, losses[1]);
            for (int r = 0; r < rows; r++)
            {
                var p = ReferenceKernels.SoftmaxRow(TestData.ToDouble(logits.AsSpan(r * classes, classes)), default, 1);
                TestData.AssertClose(p, probs.AsSpan(r * classes, classes), 1e-6, 1e-12, $"probs classes={classes} row={r}");
                if (targets[r] >= 0)
                {
                    float scalar = CrossEntropy.RowLossScalar(new float[classes], logits.AsSpan(r * classes, classes), targets[r]);
                    Assert.Equal(expectedLosses[r], scalar, 2e-6 + (1e-6 * expectedLosses[r]));
                }
            }
        }
    }

    [Fact]
    public void AllIgnoredGivesNaNLikeTorchAndCustomIgnoreIndexWorks()
    {
        var logits = TestData.Uniform(new Random(52), 8);
        float mean = CrossEntropy.Forward(new float[2], new float[8], logits, [-100, -100], 2, 4, out int count);
        Assert.Equal(0, count);
        Assert.True(float.IsNaN(mean));
        mean = CrossEntropy.Forward(new float[2], new float[8], logits, [7, 1], 2, 4, out count, ignoreIndex: 7);
        Assert.Equal(1, count);
        Assert.Equal(ReferenceKernels.CrossEntropy(TestData.ToDouble(logits), [7, 1], 2, 4, 7).Mean, mean, 1e-6);
    }

    [Fact]
    public void OutOfRangeTargetThrowsNamingRowAndValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            CrossEntropy.Forward(new float[3], new float[12], new float[12], [0, 4, -100], 3, 4, out _));
        Assert.Contains("row 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Target 4", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.Backward(new float[12], new float[12], [0, -1, 2], 3, 4, 1f));
        Assert.Throws<ArgumentException>(() => CrossEntropy.Forward(new float[3], new float[11], new float[12], [0, 1, 2], 3, 4, out _));
        Assert.Throws<ArgumentException>(() => CrossEntropy.Backward(new float[11], new float[12], [0, 1, 2], 3, 4, 1f));
    }

    [Fact]
    public void BackwardOfMeanLossMatchesFiniteDifferencesAndSkipsIgnoredRows()
    {
        var random = new Random(53);
        const int rows = 4, classes = 13;
        var logits = TestData.Uniform(random, rows * classes, -3f, 3f);
        int[] targets = [5, -100, 0, 12];
        var probs = new float[rows * classes];
        CrossEntropy.Forward(new float[rows], probs, logits, targets, rows, classes, out int count);
        var prior = TestData.Uniform(random, rows * classes);
        var d = (float[])prior.Clone();
        CrossEntropy.Backward(d, probs, targets, rows, classes, 1f / count);
        Assert.Equal(prior.AsSpan(classes, classes).ToArray(), d.AsSpan(classes, classes).ToArray());
        for (int i = 0; i < d.Length; i++)
        {
            d[i] -= prior[i];
        }

        var numeric = GradientCheck.Numerical(x => ReferenceKernels.CrossEntropy(x, targets, rows, classes, -100).Mean, TestData.ToDouble(logits));
        // Float probabilities minus one-hot, scaled by 1/count; the subtraction of prior costs ≈ ε·|prior| absolute.
        GradientCheck.AssertClose(d, numeric, 1e-5, "dLogits", 1e-2);
    }

    [Fact]
    public void LargeBatchIsThreadCountIndependent()
    {
        const int rows = 64, classes = 3001;
        var random = new Random(54);
        var logits = TestData.Uniform(random, rows * classes, -5f, 5f);
        var targets = Enumerable.Range(0, rows).Select(r => r % 5 == 0 ? -100 : random.Next(classes)).ToArray();
        var l1 = new float[rows];
        var p1 = new float[rows * classes];
        float m1 = CrossEntropy.Forward(l1, p1, logits, targets, rows, classes, out _);
        var d1 = new float[rows * classes];
        CrossEntropy.Backward(d1, p1, targets, rows, classes, 0.5f);
        var l2 = new float[rows];
        var p2 = new float[rows * classes];
        var d2 = new float[rows * classes];
        float m2;
        using (new ParallelismScope(1))
        {
            m2 = CrossEntropy.Forward(l2, p2, logits, targets, rows, classes, out _);
            CrossEntropy.Backward(d2, p2, targets, rows, classes, 0.5f);
        }

        Assert.Equal(m2, m1);
        Assert.Equal(l2, l1);
        Assert.Equal(p2, p1);
        Assert.Equal(d2, d1);
    }
}
