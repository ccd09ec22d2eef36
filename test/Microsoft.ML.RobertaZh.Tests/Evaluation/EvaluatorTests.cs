using System.Text.Json;
using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Evaluation;

namespace Microsoft.ML.RobertaZh.Tests.Evaluation;

public sealed class EvaluatorTests
{
    // Six examples with tied scores at 0.9 (one of each class) and 0.4 (one of each class).
    private static readonly bool[] TiedLabels = [true, false, true, true, false, false];
    private static readonly float[] TiedScores = [0.9f, 0.9f, 0.7f, 0.4f, 0.4f, 0.1f];

    [Fact]
    public void BinaryAucCountsTiesAsHalf()
    {
        // Positive-negative pairs: 0.9 beats two negatives and ties one (2.5), 0.7 beats two (2), 0.4 beats one and ties one (1.5): 6/9.
        var m = Evaluator.EvaluateBinary(TiedLabels, TiedScores);
        Assert.Equal(2.0 / 3, m.AreaUnderRocCurve, 12);
    }

    [Fact]
    public void BinaryPrAucIsAveragePrecisionOverDistinctThresholds()
    {
        // Thresholds 0.9, 0.7, 0.4 add recall 1/3 each at precisions 1/2, 2/3, 3/5; 0.1 adds no recall.
        var m = Evaluator.EvaluateBinary(TiedLabels, TiedScores);
        Assert.Equal(((1.0 / 2) + (2.0 / 3) + (3.0 / 5)) / 3, m.AreaUnderPrecisionRecallCurve, 12);
    }

    [Fact]
    public void BinaryCountsPrecisionRecallAndF1()
    {
        bool[] labels = [true, true, true, true, false, false, false];
        float[] p = [0.9f, 0.8f, 0.2f, 0.1f, 0.7f, 0.3f, 0.5f];
        var m = Evaluator.EvaluateBinary(labels, p);
        // Predicted positive iff p > 0.5 (0.5 itself is negative): TP 2, FN 2, FP 1, TN 2.
        Assert.Equal(4.0 / 7, m.Accuracy, 12);
        Assert.Equal(2.0 / 3, m.PositivePrecision, 12);
        Assert.Equal(0.5, m.PositiveRecall, 12);
        Assert.Equal(2.0 / 4, m.NegativePrecision, 12);
        Assert.Equal(2.0 / 3, m.NegativeRecall, 12);
        Assert.Equal(2 * (2.0 / 3) * 0.5 / ((2.0 / 3) + 0.5), m.F1Score, 12);
        Assert.Equal(2, m.ConfusionMatrix.GetCountForClassPair(predictedClassIndex: 0, actualClassIndex: 0));
        Assert.Equal(2, m.ConfusionMatrix.GetCountForClassPair(predictedClassIndex: 1, actualClassIndex: 0));
        Assert.Equal(1, m.ConfusionMatrix.GetCountForClassPair(predictedClassIndex: 0, actualClassIndex: 1));
        Assert.Equal(["positive", "negative"], m.ConfusionMatrix.ClassNames);
    }

    [Fact]
    public void BinaryLogLossClipsAZeroProbabilityAndReducesAgainstEntropy()
    {
        // A positive given p = 0 costs -log2(1e-15); a negative given p = 0 costs nothing. Entropy of a 50/50 set: 1 bit.
        var m = Evaluator.EvaluateBinary([true, false], [0f, 0f]);
        double expected = -Math.Log2(1e-15) / 2;
        Assert.Equal(expected, m.LogLoss, 9);
        Assert.True(double.IsFinite(m.LogLoss));
        Assert.Equal(1.0, m.Entropy, 12);
        Assert.Equal(1 - expected, m.LogLossReduction, 9);

        var good = Evaluator.EvaluateBinary([true, false, true, false], [0.8f, 0.2f, 0.8f, 0.2f]);
        Assert.Equal(-Math.Log2(0.8f), good.LogLoss, 6);
        Assert.Equal((1 + Math.Log2(0.8f)) / 1, good.LogLossReduction, 6);
    }

    [Fact]
    public void BinaryRejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => Evaluator.EvaluateBinary([true], [0.5f, 0.5f]));
        Assert.Throws<ArgumentException>(() => Evaluator.EvaluateBinary([true], [1.5f]));
        Assert.True(double.IsNaN(Evaluator.EvaluateBinary([true, true], [0.2f, 0.9f]).AreaUnderRocCurve));
    }

    private static float[] P(params float[] p) => p;

    [Fact]
    public void MulticlassMacroAndMicroDifferOnAnImbalancedSetAndPriorPredictionsReduceNothing()
    {
        // 8 of class 0, one each of classes 1 and 2; the model always predicts the prior [0.8, 0.1, 0.1].
        int[] labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2];
        var scores = labels.Select(_ => P(0.8f, 0.1f, 0.1f)).ToArray();
        var m = Evaluator.EvaluateMulticlass(labels, scores, topK: 3);
        Assert.Equal(0.8, m.MicroAccuracy, 12);
        Assert.Equal(1.0 / 3, m.MacroAccuracy, 12);
        double expectedLogLoss = -((8 * Math.Log(0.8f)) + (2 * Math.Log(0.1f))) / 10;
        Assert.Equal(expectedLogLoss, m.LogLoss, 6);
        Assert.Equal(0, m.LogLossReduction, 6);
        Assert.Equal(-Math.Log(0.1f), m.PerClassLogLoss[1], 6);

        // Top-k: class 1 ties class 2 at 0.1 and ranks first (lower index), so it is in the top 2; class 2 is only in the top 3.
        Assert.Equal([0.8, 0.9, 1.0], m.TopKAccuracyForAllK.Select(a => Math.Round(a, 12)));
        Assert.Equal(1.0, m.TopKAccuracy, 12);
        Assert.Equal(3, m.TopKPredictionCount);

        // Against a uniform training prior the same predictions are better than the prior.
        var vsUniform = Evaluator.EvaluateMulticlass(labels, scores, priorProbabilities: [1.0 / 3, 1.0 / 3, 1.0 / 3]);
        Assert.Equal((Math.Log(3) - expectedLogLoss) / Math.Log(3), vsUniform.LogLossReduction, 6);
    }

    [Fact]
    public void MulticlassLogLossClipsZeroAt1e15()
    {
        var m = Evaluator.EvaluateMulticlass([0, 1], [P(0f, 1f), P(0f, 1f)]);
        Assert.Equal((-Math.Log(1e-15) + 0) / 2, m.LogLoss, 9);
        Assert.Equal(-Math.Log(1e-15), m.PerClassLogLoss[0], 9);
    }

    [Fact]
    public void MulticlassConfusionMatrixCountsPrecisionRecallF1()
    {
        int[] labels = [0, 0, 1, 1, 1, 2];
        int[] predicted = [0, 1, 1, 1, 2, 2];
        var scores = predicted.Select(p => Enumerable.Range(0, 3).Select(c => c == p ? 0.8f : 0.1f).ToArray()).ToArray();
        var m = Evaluator.EvaluateMulticlass(labels, scores, classNames: ["甲", "乙", "丙"]);
        var cm = m.ConfusionMatrix;
        Assert.Equal(3, cm.NumberOfClasses);
        Assert.Equal([1.0, 1.0, 0.0], cm.Counts[0]);
        Assert.Equal([0.0, 2.0, 1.0], cm.Counts[1]);
        Assert.Equal([0.0, 0.0, 1.0], cm.Counts[2]);
        Assert.Equal([1.0, 2.0 / 3, 0.5], cm.PerClassPrecision.Select(x => Math.Round(x, 12)).ToArray(), new RoundedComparer());
        Assert.Equal([0.5, 2.0 / 3, 1.0], cm.PerClassRecall.Select(x => Math.Round(x, 12)).ToArray(), new RoundedComparer());
        Assert.Equal(2.0 / 3, cm.PerClassF1Score[0], 12);
        Assert.Equal(2.0 / 3, cm.PerClassF1Score[2], 12);
        Assert.Equal(4.0 / 6, m.MicroAccuracy, 12);
        Assert.Equal((0.5 + (2.0 / 3) + 1) / 3, m.MacroAccuracy, 12);
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-9;

        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void MulticlassRejectsOutOfRangeLabels()
    {
        var ex = Assert.Throws<ArgumentException>(() => Evaluator.EvaluateMulticlass([3], [P(0.5f, 0.5f)]));
        Assert.Contains("[0, 2)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderingCarriesMlNetNamesAndNumbers()
    {
        var b = Evaluator.EvaluateBinary(TiedLabels, TiedScores);
        using (var json = JsonDocument.Parse(b.ToJson()))
        {
            var root = json.RootElement;
            Assert.Equal(2.0 / 3, root.GetProperty("AreaUnderRocCurve").GetDouble(), 12);
            Assert.Equal(b.Accuracy, root.GetProperty("Accuracy").GetDouble());
            Assert.Equal(b.F1Score, root.GetProperty("F1Score").GetDouble());
            foreach (var name in new[] { "AreaUnderPrecisionRecallCurve", "PositivePrecision", "PositiveRecall", "NegativePrecision", "NegativeRecall", "LogLoss", "LogLossReduction", "Entropy" })
                Assert.Equal(JsonValueKind.Number, root.GetProperty(name).ValueKind);
            Assert.Equal(2, root.GetProperty("ConfusionMatrix").GetProperty("Counts").GetArrayLength());
        }

        string table = b.ToTable();
        Assert.Matches(@"\nAreaUnderRocCurve +0\.6667\n", table);
        Assert.Matches(@"\nLogLossReduction +-0\.0332\n", table);
        Assert.Contains("Confusion table", table, StringComparison.Ordinal);
        Assert.Equal(table, b.ToString());
        string html = b.ToHtml();
        Assert.StartsWith("<div><table", html, StringComparison.Ordinal);
        Assert.Contains("<td style=\"text-align:left;padding:2px 8px\">AreaUnderRocCurve</td><td style=\"text-align:right;padding:2px 8px\">0.6667</td>", html, StringComparison.Ordinal);

        var m = Evaluator.EvaluateMulticlass([0, 1, 1], [P(0.7f, 0.3f), P(0.4f, 0.6f), P(0.9f, 0.1f)], classNames: ["负面", "正面<b>"]);
        using (var json = JsonDocument.Parse(m.ToJson(indented: false)))
        {
            var root = json.RootElement;
            Assert.Equal(2.0 / 3, root.GetProperty("MicroAccuracy").GetDouble(), 12);
            Assert.Equal(0.75, root.GetProperty("MacroAccuracy").GetDouble(), 12);
            Assert.Equal(m.LogLoss, root.GetProperty("LogLoss").GetDouble());
            Assert.Equal("负面", root.GetProperty("ConfusionMatrix").GetProperty("ClassNames")[0].GetString());
        }

        string mt = m.ToTable();
        Assert.Matches(@"\nMicroAccuracy +0\.6667\n", mt);
        Assert.Matches(@"\nMacroAccuracy +0\.7500\n", mt);
        // Chinese names are two columns wide, so the per-class columns still line up.
        var lines = mt.Split('\n');
        int header = Array.FindIndex(lines, l => l.StartsWith("Class ", StringComparison.Ordinal));
        string row = lines[header + 2];
        Assert.StartsWith("负面", row, StringComparison.Ordinal);
        Assert.Equal(lines[header].IndexOf("Precision", StringComparison.Ordinal) + "Precision".Length, row.IndexOf("0.5000", StringComparison.Ordinal) + "0.5000".Length + 2);
        Assert.DoesNotContain(lines, l => l.EndsWith(' '));
        Assert.Contains("正面&lt;b&gt;", m.ToHtml(), StringComparison.Ordinal);
        Assert.DoesNotContain("正面<b>", m.ToHtml(), StringComparison.Ordinal);
        Assert.Contains("Precision", m.ConfusionMatrix.GetFormattedConfusionTable(), StringComparison.Ordinal);
    }

    private sealed class BinaryScored
    {
        public string Label { get; set; } = "";

        public float Probability { get; set; }
    }

    private sealed class MulticlassScored
    {
        public string Label { get; set; } = "";

        [VectorType(3)]
        public float[] Score { get; set; } = [];
    }

    [Fact]
    public void ViewEvaluatorsMatchTheListEvaluators()
    {
        var ml = new RobertaZhContext(1);
        var rows = TiedLabels.Select((l, i) => new BinaryScored { Label = l ? "1" : "0", Probability = TiedScores[i] }).ToList();
        var fromView = ml.BinaryClassification.Evaluate(ml.Data.LoadFromEnumerable(rows));
        var fromLists = Evaluator.EvaluateBinary(TiedLabels, TiedScores);
        Assert.Equal(fromLists.ToJson(), fromView.ToJson());

        string[] names = ["contradiction", "entailment", "neutral"];
        var multi = new[]
        {
            new MulticlassScored { Label = "neutral", Score = P(0.1f, 0.2f, 0.7f) },
            new MulticlassScored { Label = "entailment", Score = P(0.5f, 0.3f, 0.2f) },
            new MulticlassScored { Label = "contradiction", Score = P(0.6f, 0.3f, 0.1f) },
        };
        var schema = DataViewSchema.Create([("Label", TextDataViewType.Instance), ("Score", new VectorDataViewType(NumberDataViewType.Single, 3))]);
        var withSlots = new DataViewSchema.Builder()
            .AddColumn("Label", TextDataViewType.Instance)
            .AddColumn("Score", schema["Score"].Type, new DataViewSchema.Annotations(SlotNames: names)).ToSchema();
        var view = ml.Data.LoadFromEnumerable(multi, withSlots);
        var m = ml.MulticlassClassification.Evaluate(view, topKPredictionCount: 2);
        var expected = Evaluator.EvaluateMulticlass([2, 1, 0], multi.Select(r => r.Score).ToArray(), topK: 2, classNames: names);
        Assert.Equal(expected.ToJson(), m.ToJson());
        Assert.Equal(2.0 / 3, m.MicroAccuracy, 12);

        var noNames = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Evaluate(ml.Data.LoadFromEnumerable(multi)));
        Assert.Contains("no class names", noNames.Message, StringComparison.Ordinal);
    }
}
