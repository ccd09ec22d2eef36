using Microsoft.ML.RobertaZh.Pretraining;

namespace Microsoft.ML.RobertaZh.Tests.Pretraining;

public class MaskerTests
{
    private const int Vocab = 500, Pad = 0, Cls = 101, Sep = 102, MaskId = 103;
    private static readonly int[] Specials = [.. Enumerable.Range(0, 104)];

    private static Masker Create(MaskingOptions options) => new(options, Vocab, MaskId, [Cls, Sep, Pad], Specials);

    /// <summary>Random sequences [CLS] w… [SEP] of non-special ids, with word starts drawn with probability 0.4.</summary>
    private static List<(int[] Ids, byte[] Starts)> Sequences(int count, int seed, int minLength = 5, int maxLength = 128)
    {
        var random = new Random(seed);
        var result = new List<(int[], byte[])>();
        for (int s = 0; s < count; s++)
        {
            int n = random.Next(minLength, maxLength + 1);
            var ids = new int[n];
            var starts = new byte[n];
            for (int i = 0; i < n; i++)
            {
                ids[i] = random.Next(104, Vocab);
                starts[i] = random.NextDouble() < 0.4 ? (byte)1 : (byte)0;
            }
            ids[0] = Cls;
            ids[^1] = Sep;
            starts[0] = starts[1] = starts[^1] = 1;
            result.Add((ids, starts));
        }
        return result;
    }

    private sealed record Stats(long Tokens, long Predicted, long Masked, long Random, long Kept);

    private static Stats Run(Masker masker, List<(int[] Ids, byte[] Starts)> sequences, int epoch = 0, Action<int[], byte[], int[], int[]>? check = null)
    {
        long tokens = 0, predicted = 0, masked = 0, random = 0, kept = 0;
        for (int s = 0; s < sequences.Count; s++)
        {
            var (ids, starts) = sequences[s];
            var input = new int[ids.Length];
            var labels = new int[ids.Length];
            int count = masker.Mask(ids, starts, input, labels, MaskRandom.ForInstance(9, epoch, s));
            Assert.Equal(count, labels.Count(l => l != Masker.IgnoreLabel));
            Assert.InRange(count, 0, masker.PredictionCount(ids.Length));
            for (int i = 0; i < ids.Length; i++)
            {
                if (labels[i] == Masker.IgnoreLabel)
                {
                    Assert.Equal(ids[i], input[i]);
                    continue;
                }
                Assert.Equal(ids[i], labels[i]);
                Assert.NotEqual(0, i);
                Assert.NotEqual(ids.Length - 1, i);
                if (input[i] == MaskId) masked++;
                else if (input[i] == ids[i]) kept++;
                else
                {
                    random++;
                    Assert.DoesNotContain(input[i], Specials);
                }
            }
            tokens += ids.Length;
            predicted += count;
            check?.Invoke(ids, starts, input, labels);
        }
        return new Stats(tokens, predicted, masked, random, kept);
    }

    private static void AssertNear(double expected, long hits, long trials, string what)
    {
        double sigma = Math.Sqrt(expected * (1 - expected) / trials);
        double actual = hits / (double)trials;
        Assert.True(Math.Abs(actual - expected) <= 5 * sigma, $"{what}: {actual:F4}, expected {expected} ± {5 * sigma:F4}");
    }

    [Theory]
    [InlineData(3, 0.15, 20, 1)]
    [InlineData(10, 0.15, 20, 2)]
    [InlineData(30, 0.15, 20, 4)]   // 4.5 rounds to even
    [InlineData(50, 0.15, 20, 8)]   // 7.5 rounds to even
    [InlineData(70, 0.15, 20, 10)]  // 10.5 rounds to even
    [InlineData(128, 0.15, 20, 19)]
    [InlineData(200, 0.15, 20, 20)]
    [InlineData(200, 0.15, 0, 30)]
    [InlineData(256, 0.10, 23, 23)] // roberta_zh's settings
    public void PredictionCountRoundsHalfToEvenAndCaps(int length, double probability, int cap, int expected) =>
        Assert.Equal(expected, Create(new MaskingOptions { Probability = probability, MaxPredictions = cap }).PredictionCount(length));

    [Fact]
    public void TokenMaskingHitsTheRateAndTheEightyTenTenSplit()
    {
        var masker = Create(new MaskingOptions { Strategy = MaskingStrategy.Token, MaxPredictions = 0 });
        var sequences = Sequences(4000, 1);
        var replaced = new HashSet<int>();
        var stats = Run(masker, sequences, check: (ids, _, input, labels) =>
        {
            for (int i = 0; i < ids.Length; i++)
                if (labels[i] >= 0 && input[i] != MaskId && input[i] != ids[i]) replaced.Add(input[i]);
        });
        // Token groups always fit, so every sequence gets exactly num_to_predict.
        Assert.Equal(sequences.Sum(s => masker.PredictionCount(s.Ids.Length)), stats.Predicted);
        Assert.InRange(stats.Predicted / (double)stats.Tokens, 0.145, 0.155);
        AssertNear(0.8, stats.Masked, stats.Predicted, "[MASK]");
        AssertNear(0.1 * (1 - (1.0 / (Vocab - 104))), stats.Random, stats.Predicted, "random");
        AssertNear(0.1 + (0.1 / (Vocab - 104)), stats.Kept, stats.Predicted, "kept");
        Assert.True(replaced.Count > 350, $"random replacements cover only {replaced.Count} ids");
    }

    [Fact]
    public void WholeWordMaskingCoversWordsEntirelyAndRespectsTheCap()
    {
        var masker = Create(new MaskingOptions { Strategy = MaskingStrategy.WholeWord, MaxPredictions = 12 });
        var stats = Run(masker, Sequences(3000, 2), check: (ids, starts, _, labels) =>
        {
            for (int i = 2; i < ids.Length - 1; i++)
                if (starts[i] == 0) Assert.Equal(labels[i - 1] >= 0, labels[i] >= 0);
            Assert.True(labels.Count(l => l >= 0) <= 12);
        });
        Assert.InRange(stats.Predicted / (double)stats.Tokens, 0.07, 0.15);
        AssertNear(0.8, stats.Masked, stats.Predicted, "[MASK]");
    }

    [Fact]
    public void SpanMaskingUsesOneDecisionPerSpanAndLongRuns()
    {
        var masker = Create(new MaskingOptions { Strategy = MaskingStrategy.Span, MaxPredictions = 0 });
        long runs = 0, runTokens = 0, pairs = 0, samePairs = 0;
        static int Decision(int original, int input) => input == MaskId ? 0 : input == original ? 1 : 2;
        var stats = Run(masker, Sequences(3000, 3, minLength: 60), check: (ids, _, input, labels) =>
        {
            for (int i = 0; i < ids.Length; i++)
            {
                if (i > 0 && labels[i] >= 0 && labels[i - 1] >= 0)
                {
                    pairs++;
                    if (Decision(ids[i], input[i]) == Decision(ids[i - 1], input[i - 1])) samePairs++;
                }
                if (labels[i] < 0 || (i > 0 && labels[i - 1] >= 0)) continue;
                runs++;
                for (int j = i; j < ids.Length && labels[j] >= 0; j++) runTokens++;
            }
        });
        Assert.True(runTokens / (double)runs > 2.5, $"mean predicted run {runTokens / (double)runs:F2}");
        // Neighbours mostly share a span and so its decision; independent per-token draws would agree 66% of the time.
        Assert.True(samePairs / (double)pairs > 0.85, $"adjacent predictions agree {samePairs / (double)pairs:F3} of the time");
        Assert.InRange(stats.Predicted / (double)stats.Tokens, 0.12, 0.155);
        AssertNear(0.8, stats.Masked, stats.Predicted, "[MASK]");
    }

    [Fact]
    public void SpecialPositionsAreNeverPredicted()
    {
        var masker = Create(new MaskingOptions { Strategy = MaskingStrategy.Token, Probability = 1, MaxPredictions = 0 });
        int[] ids = [Cls, 200, Sep, 201, Pad, Pad];
        var input = new int[6];
        var labels = new int[6];
        Assert.Equal(2, masker.Mask(ids, new byte[6], input, labels, new MaskRandom(1, 2)));
        Assert.Equal([-100, 200, -100, 201, -100, -100], labels);
        Assert.Equal(0, masker.Mask([Cls, Sep], new byte[2], new int[2], new int[2], new MaskRandom(1, 2)));
    }

    [Fact]
    public void MasksRepeatWithTheStreamAndDifferAcrossEpochs()
    {
        var masker = Create(new MaskingOptions());
        var sequences = Sequences(200, 4, minLength: 40);
        int[] Labels(int epoch, int s)
        {
            var labels = new int[sequences[s].Ids.Length];
            masker.Mask(sequences[s].Ids, sequences[s].Starts, new int[labels.Length], labels, MaskRandom.ForInstance(77, epoch, s));
            return labels;
        }
        int differ = 0;
        for (int s = 0; s < sequences.Count; s++)
        {
            Assert.Equal(Labels(0, s), Labels(0, s));
            if (!Labels(0, s).SequenceEqual(Labels(1, s))) differ++;
        }
        Assert.True(differ >= 195, $"only {differ} of 200 masks changed between epochs");
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        var masker = Create(new MaskingOptions());
        Assert.Throws<ArgumentException>(() => masker.Mask(new int[4], new byte[3], new int[4], new int[4], new MaskRandom(0, 0)));
        Assert.Throws<ArgumentException>(() => masker.Mask(new int[4], new byte[4], new int[3], new int[4], new MaskRandom(0, 0)));
        Assert.Throws<ArgumentException>(() => Create(new MaskingOptions { Probability = 0 }));
        Assert.Throws<ArgumentException>(() => Create(new MaskingOptions { DuplicationFactor = 2 }));
        Assert.Throws<ArgumentException>(() => new Masker(new MaskingOptions(), 4, 3, [], [0, 1, 2]));
        Assert.DoesNotContain(masker.RandomReplacementIds, Specials.Contains);
    }
}
