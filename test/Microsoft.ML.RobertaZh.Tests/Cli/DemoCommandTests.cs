using System.Text.Json;
using Microsoft.ML.RobertaZh.Cli.Commands;
using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Tests.Data;

namespace Microsoft.ML.RobertaZh.Tests.Cli;

public class DemoCommandTests
{
    [Fact]
    public void SampleIsEmbeddedBalancedAndLoadsAsTaskData()
    {
        using var files = new TempFiles();
        string dir = DemoSample.Export(files.Root);
        var context = new MLContext(1);
        var labels = context.Data.CreateEnumerable<LabeledText>(context.Data.LoadTaskDataset(Path.Combine(dir, "reviews.tsv")), reuseRowObject: false).ToList();
        Assert.InRange(labels.Count, 200, 1000);
        Assert.Equal(labels.Count / 2, labels.Count(r => r.Label == "1"));
        Assert.Equal(labels.Count, labels.Select(r => r.Sentence1).Distinct().Count());
        var pairs = context.Data.LoadTaskDataset(Path.Combine(dir, "pairs.tsv"));
        Assert.NotNull(pairs.Schema.GetColumnOrNull(TaskColumns.Sentence2));
        Assert.InRange(context.Data.CreateEnumerable<LabeledText>(pairs, reuseRowObject: false, ignoreMissingColumns: true).Count(), 24, 200);
        var sentences = File.ReadAllText(Path.Combine(dir, "corpus.txt")).Count(c => c == '。');
        Assert.InRange(sentences, 200, 2000);
    }

    [Fact]
    public void QuickDemoPrintsMetricsPredictionsAndFillMaskAndWritesItsFiles()
    {
        using var files = new TempFiles();
        string output = Path.Combine(files.Root, "demo");
        using var console = new StringWriter();
        var report = DemoCommand.Run(output, DemoSettings.Quick, console);
        string text = console.ToString();

        foreach (var stage in new[] { "[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]" }) Assert.Contains(stage, text, StringComparison.Ordinal);
        foreach (var metric in new[] { "Accuracy", "AreaUnderRocCurve", "F1Score", "LogLoss" }) Assert.Contains(metric, text, StringComparison.Ordinal);
        Assert.InRange(report.Metrics.ConfusionMatrix.Counts.Sum(r => r.Sum()), 40, 80);
        Assert.InRange(report.Metrics.Accuracy, 0, 1);
        Assert.InRange(report.Metrics.AreaUnderRocCurve, 0, 1);
        Assert.True(double.IsFinite(report.Metrics.LogLoss) && report.Metrics.LogLoss > 0, text);

        Assert.Equal(DemoCommand.NewReviews.Length, report.Predictions.Count);
        Assert.All(report.Predictions, p => Assert.InRange(p.Prediction.Probability, 0f, 1f));
        Assert.All(DemoCommand.NewReviews, r => Assert.Contains(r, text, StringComparison.Ordinal));
        Assert.Equal(DemoCommand.MaskedSentences.Length, report.FillMask.Count);
        Assert.All(report.FillMask, f => Assert.Equal(3, f.Candidates.Count));
        Assert.All(DemoCommand.MaskedSentences, s => Assert.Contains(s + "  ->  ", text, StringComparison.Ordinal));

        Assert.All(["sample/reviews.tsv", "sample/pairs.tsv", "sample/corpus.txt", "vocab.txt", "pretrain/model/model.safetensors",
                    "classifier/model.safetensors", "classifier/config.json", "pipeline.zip", "metrics.txt", "metrics.json", "metrics.html", "demo.txt"],
            f => Assert.True(File.Exists(Path.Combine(output, f)), f));
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json"))).RootElement;
        Assert.Equal(report.Metrics.Accuracy, json.GetProperty("Accuracy").GetDouble(), 6);
        Assert.Equal(text.TrimEnd(), File.ReadAllText(Path.Combine(output, "demo.txt")).TrimEnd());

        // Running again into the same directory starts afresh; a foreign non-empty directory is refused.
        Assert.Equal(0, DemoCommand.Create().Parse(["--output", output, "--quick"]).Invoke());
        File.WriteAllText(Path.Combine(files.Root, "other.txt"), "x");
        Assert.Equal(2, DemoCommand.Create().Parse(["--output", files.Root, "--quick"]).Invoke());
    }

    public sealed class LabeledText
    {
        public string Label { get; set; } = "";

        public string Sentence1 { get; set; } = "";
    }
}
