using System.Text.Json;
using Microsoft.ML.RobertaZh.Evaluation;

namespace Microsoft.ML.RobertaZh.Tests.Evaluation;

/// <summary>Formatting of ML.NET's own metric objects: every number printed is the object's.</summary>
public sealed class MetricsFormattingTests
{
    public sealed class BinaryRow
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    // Six examples: margins (scores) and their sigmoids.
    private static readonly bool[] Labels = [true, false, true, true, false, false];
    private static readonly float[] Margins = [2.2f, 0.4f, 0.8f, -0.4f, -0.4f, -2.2f];

    private static CalibratedBinaryClassificationMetrics Binary(MLContext ml) =>
        ml.BinaryClassification.Evaluate(ml.Data.LoadFromEnumerable(Labels.Select((l, i) => new BinaryRow
        {
            Label = l, Score = Margins[i], Probability = 1f / (1f + MathF.Exp(-Margins[i])), PredictedLabel = Margins[i] > 0,
        }).ToList()));

    [Fact]
    public void BinaryJsonTableAndHtmlCarryTheMetricObjectsValuesUnderMlNetsNames()
    {
        var m = Binary(new MLContext(seed: 1));
        // Positive when the margin is above 0: TP 2, FN 1, FP 1, TN 2.
        Assert.Equal(4.0 / 6, m.Accuracy, 12);
        using (var json = JsonDocument.Parse(m.ToJson()))
        {
            var root = json.RootElement;
            Assert.Equal(m.Accuracy, root.GetProperty("Accuracy").GetDouble());
            Assert.Equal(m.AreaUnderRocCurve, root.GetProperty("AreaUnderRocCurve").GetDouble());
            Assert.Equal(m.F1Score, root.GetProperty("F1Score").GetDouble());
            Assert.Equal(m.LogLoss, root.GetProperty("LogLoss").GetDouble());
            Assert.Equal(m.LogLossReduction, root.GetProperty("LogLossReduction").GetDouble());
            Assert.Equal(m.Entropy, root.GetProperty("Entropy").GetDouble());
            Assert.Equal(6, root.GetProperty("Count").GetInt32());
            Assert.Equal(2, root.GetProperty("ConfusionMatrix").GetProperty("Counts").GetArrayLength());
        }

        string table = m.ToTable();
        Assert.Matches(@"\nAccuracy +0\.6667\n", table);
        Assert.Contains($"AreaUnderRocCurve", table, StringComparison.Ordinal);
        Assert.Contains("Confusion table", table, StringComparison.Ordinal);
        Assert.Equal(["positive", "negative"], m.ConfusionMatrix.GetClassNames());
        string html = m.ToHtml();
        Assert.StartsWith("<div><table", html, StringComparison.Ordinal);
        Assert.Contains("<td style=\"text-align:left;padding:2px 8px\">Accuracy</td><td style=\"text-align:right;padding:2px 8px\">0.6667</td>", html, StringComparison.Ordinal);

        var uncalibrated = new MLContext(seed: 1).BinaryClassification.EvaluateNonCalibrated(new MLContext().Data.LoadFromEnumerable(
            Labels.Select((l, i) => new BinaryRow { Label = l, Score = Margins[i], PredictedLabel = Margins[i] > 0 }).ToList()));
        using var u = JsonDocument.Parse(uncalibrated.ToJson());
        Assert.False(u.RootElement.TryGetProperty("LogLoss", out _));
        Assert.Equal(m.Accuracy, u.RootElement.GetProperty("Accuracy").GetDouble());
    }

    public sealed class TextRow
    {
        public string Label { get; set; } = "";

        public string Sentence1 { get; set; } = "";
    }

    [Fact]
    public void MulticlassTablesAlignChineseClassNamesAndHtmlIsEncoded()
    {
        var ml = new MLContext(seed: 1);
        string[] names = ["负面", "正面<b>", "中性"];
        var rows = Enumerable.Range(0, 30).Select(i => new TextRow { Label = names[i % 3], Sentence1 = i % 5 == 0 ? "甲" : names[i % 3] }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Text.FeaturizeText("Features", "Sentence1"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()).Fit(data);
        var m = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.Equal(names, m.ConfusionMatrix.GetClassNames());
        using (var json = JsonDocument.Parse(m.ToJson(indented: false)))
        {
            Assert.Equal(m.MicroAccuracy, json.RootElement.GetProperty("MicroAccuracy").GetDouble());
            Assert.Equal(m.MacroAccuracy, json.RootElement.GetProperty("MacroAccuracy").GetDouble());
            Assert.Equal(m.LogLoss, json.RootElement.GetProperty("LogLoss").GetDouble());
            Assert.Equal(30, json.RootElement.GetProperty("Count").GetInt32());
            Assert.Equal("负面", json.RootElement.GetProperty("ConfusionMatrix").GetProperty("ClassNames")[0].GetString());
        }

        string t = m.ToTable();
        Assert.Contains(m.MicroAccuracy.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), t, StringComparison.Ordinal);
        var lines = t.Split('\n');
        int header = Array.FindIndex(lines, l => l.StartsWith("Class ", StringComparison.Ordinal));
        string row = lines[header + 2];
        Assert.StartsWith("负面", row, StringComparison.Ordinal);
        // Chinese names are two columns wide, so the per-class columns still line up: the precision ends where its header ends.
        string precision = m.ConfusionMatrix.PerClassPrecision[0].ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        int end = row.IndexOf(precision, StringComparison.Ordinal) + precision.Length;
        Assert.Equal(lines[header].IndexOf("Precision", StringComparison.Ordinal) + "Precision".Length, MetricsFormat.Width(row[..end]));
        Assert.DoesNotContain(lines, l => l.EndsWith(' '));
        Assert.Contains("正面&lt;b&gt;", m.ToHtml(), StringComparison.Ordinal);
        Assert.DoesNotContain("正面<b>", m.ToHtml(), StringComparison.Ordinal);
    }
}
