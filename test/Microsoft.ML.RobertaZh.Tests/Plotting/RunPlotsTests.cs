using System.Globalization;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Plotting;

namespace Microsoft.ML.RobertaZh.Tests.Plotting;

public sealed class RunPlotsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rzh-plots-" + Guid.NewGuid().ToString("N"));

    public RunPlotsTests()
    {
        Directory.CreateDirectory(_dir);
        // Without any font the figures have no text at all; .ci/run installs fonts-dejavu-core when none is there.
        Assert.True(RunPlots.FontWarning is null, RunPlots.FontWarning);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A fine-tuning run as the training loop logs it: train records every step, an evaluation at the end of each of
    // 4 epochs of 10 steps (accuracy 0.6, 0.7, 0.8, 0.75: the best is epoch 3).
    private static IEnumerable<string> FineTuningLog()
    {
        double[] accuracy = [0.6, 0.7, 0.8, 0.75];
        for (int step = 1; step <= 40; step++)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{{\"step\":{step},\"split\":\"train\",\"epoch\":{step / 10.0},\"loss\":{1.0 / step + 0.3},\"lr\":{1e-4 * (1 - (step / 41.0))},\"grad_norm\":1}}");
            if (step % 10 == 0)
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"{{\"step\":{step},\"split\":\"eval\",\"elapsed_s\":1,\"accuracy\":{accuracy[(step / 10) - 1]},\"loss\":{0.7 - (step / 200.0)}}}");
        }
    }

    [Fact]
    public void FineTuningRunGetsLearningCurveAndValidationMetricsAsPngAndSvg()
    {
        File.WriteAllLines(Path.Combine(_dir, "metrics.jsonl"), FineTuningLog());
        var written = RunPlots.Write(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["learning_curve.png", "learning_curve.svg", "validation_metrics.png", "validation_metrics.svg"], written);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        var (width, height, texts, colors) = PlotFiles.Svg(Path.Combine(_dir, "learning_curve.svg"));
        Assert.Equal((960, 900), (width, height));   // three rows: loss, accuracy, learning rate
        Assert.Superset(new HashSet<string> { "Loss against step", "Accuracy against step", "Learning rate against step", "step", "loss",
            "accuracy", "learning rate", "train loss", "held-out loss", "held-out accuracy" }, texts);
        Assert.DoesNotContain("held-out MLM accuracy", texts);   // no such records in a fine-tuning log
        Assert.Superset(new HashSet<string> { "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728" }, colors);
        // No full-size rectangle without a fill (SVG would paint it black).
        var svgDoc = System.Xml.Linq.XDocument.Load(Path.Combine(_dir, "learning_curve.svg"));
        Assert.DoesNotContain(svgDoc.Descendants().Where(e => e.Name.LocalName == "rect"),
            r => (string?)r.Attribute("width") == "960" && (string?)r.Attribute("height") == "900" && r.Attribute("fill") is null);

        var png = PlotFiles.Png(Path.Combine(_dir, "learning_curve.png"), PlotFiles.Blue, PlotFiles.Orange, PlotFiles.Green, PlotFiles.Red);
        Assert.Equal((960, 900), (png.Width, png.Height));
        Assert.All(png.Counts, c => Assert.True(c.Value > 20, $"colour {c.Key}: {c.Value} pixels"));

        var validation = PlotFiles.Svg(Path.Combine(_dir, "validation_metrics.svg"));
        Assert.Superset(new HashSet<string> { "Validation metrics per epoch", "epoch", "accuracy", "log-loss", "validation accuracy",
            "validation log-loss (right axis)", "best epoch (3: accuracy 0.800)" }, validation.Texts);
        Assert.Superset(new HashSet<string> { "1", "2", "3", "4" }, validation.Texts);   // epochs on the x axis
        PlotFiles.Png(Path.Combine(_dir, "validation_metrics.png"));
    }

    [Fact]
    public void PretrainingRunGetsMaskedLmAccuracyAgainstTheBaselineAndNoPerEpochFigure()
    {
        File.WriteAllLines(Path.Combine(_dir, "metrics.jsonl"),
        [
            "{\"step\":1,\"split\":\"train\",\"epoch\":0.1,\"loss\":9.9,\"lr\":0.0001,\"mlm_accuracy\":0}",
            "{\"step\":2,\"split\":\"train\",\"epoch\":0.2,\"loss\":8.5,\"lr\":0.0002,\"mlm_accuracy\":0.05}",
            "{\"step\":2,\"split\":\"eval\",\"elapsed_s\":3,\"loss\":8.7,\"mlm_accuracy\":0.04,\"baseline_accuracy\":0.03,\"predictions\":100}",
            "{\"step\":3,\"split\":\"train\",\"epoch\":0.3,\"loss\":7.5,\"lr\":0.0001,\"mlm_accuracy\":0.08}",
            "{\"step\":4,\"split\":\"eval\",\"elapsed_s\":6,\"loss\":7.9,\"mlm_accuracy\":0.09,\"baseline_accuracy\":0.03,\"predictions\":100}",
            "{\"step\":5,\"split\":\"tr",   // cut by a crash
        ]);
        Assert.Equal(["learning_curve.png", "learning_curve.svg"], RunPlots.Write(_dir).Select(Path.GetFileName));
        var texts = PlotFiles.Svg(Path.Combine(_dir, "learning_curve.svg")).Texts;
        Assert.Superset(new HashSet<string> { "train MLM accuracy", "held-out MLM accuracy", "most-frequent-token baseline", "held-out loss" }, texts);
        Assert.DoesNotContain("held-out accuracy", texts);
    }

    [Fact]
    public void SweepGetsOneBarPerTrialBestFirstAndHighlighted()
    {
        File.WriteAllText(Path.Combine(_dir, "sweep.json"), """
            {"metric":"Accuracy","best_trial":2,"trials":[
              {"id":1,"epochs":3,"batch_size":32,"learning_rate":3e-05,"accuracy":0.71,"log_loss":0.6},
              {"id":2,"epochs":5,"batch_size":32,"learning_rate":0.0001,"accuracy":0.84,"log_loss":0.4},
              {"id":3,"epochs":3,"batch_size":64,"learning_rate":0.0003,"accuracy":0.78,"log_loss":0.5},
              {"id":4,"epochs":8,"batch_size":64,"learning_rate":0.0003,"accuracy":null,"log_loss":null}]}
            """);
        Assert.Equal(["sweep.png", "sweep.svg"], RunPlots.Write(_dir).Select(Path.GetFileName));
        var (_, height, texts, colors) = PlotFiles.Svg(Path.Combine(_dir, "sweep.svg"));
        Assert.Superset(new HashSet<string> { "Sweep: 4 trials, best #2", "validation accuracy", "#2: 5 ep, batch 32, lr 1E-4",
            "#1: 3 ep, batch 32, lr 3E-5", "#3: 3 ep, batch 64, lr 3E-4", "0.8400", "0.7800", "0.7100" }, texts);
        Assert.DoesNotContain(texts, t => t.StartsWith("#4", StringComparison.Ordinal));   // never finished an epoch
        Assert.Contains("#2CA02C", colors);   // the chosen trial
        Assert.True(height >= 260);
        var png = PlotFiles.Png(Path.Combine(_dir, "sweep.png"), PlotFiles.Green);
        Assert.True(png.Counts[PlotFiles.Green] > 1000);
    }

    [Fact]
    public void SweepSummaryReadsWhatASweepWrites()
    {
        // SweepResult.ToJson is what RobertaClassifierSweep.SaveResults writes as sweep.json: ML.NET's metric names under "metrics".
        SweepTrial Trial(int id, float lr, double accuracy, double logLoss) =>
            new(new SweepTrialParameters(id, 3, 16, lr, default), new Dictionary<string, double> { ["Accuracy"] = accuracy, ["AreaUnderRocCurve"] = 0.9, ["LogLoss"] = logLoss }, 1.5, true);
        var trials = new[] { Trial(1, 1e-4f, 0.75, 0.61), Trial(2, 3e-4f, 0.875, 0.42), new SweepTrial(new SweepTrialParameters(3, 3, 16, 1e-3f, default), new Dictionary<string, double>(), 0.2, false) };
        var result = new SweepResult(trials, trials[1], SweepMetric.Accuracy, new TransformerChain<ITransformer>());
        var summary = SweepSummary.Parse(result.ToJson());
        Assert.Equal(("Accuracy", 2), (summary.Metric, summary.BestTrial));
        Assert.Equal([(1, 0.75, 0.61), (2, 0.875, 0.42)], summary.Trials.Take(2).Select(t => (t.Id, t.Accuracy, t.LogLoss)));
        Assert.True(double.IsNaN(summary.Trials[2].Accuracy) && double.IsNaN(summary.Trials[2].LogLoss));
        File.WriteAllText(Path.Combine(_dir, "sweep.json"), result.ToJson());
        Assert.Equal(summary.Trials.Select(t => t.Accuracy), SweepSummary.Load(Path.Combine(_dir, "sweep.json")).Trials.Select(t => t.Accuracy));
        var texts = PlotFiles.Svg(Path.Combine(_dir, RunPlots.Write(_dir).Single(f => f.EndsWith(".svg", StringComparison.Ordinal)))).Texts;
        Assert.Superset(new HashSet<string> { "Sweep: 3 trials, best #2", "0.8750", "0.7500" }, texts);
        var e = Assert.Throws<InvalidDataException>(() => SweepSummary.Parse("{\"trials\":[{\"id\":1}]}", "from-memory"));
        Assert.StartsWith("from-memory: not a sweep result", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedFilesAreReportedWithFileAndLine()
    {
        File.WriteAllLines(Path.Combine(_dir, "metrics.jsonl"), ["{\"step\":1,\"loss\":2}", "{\"loss\":2}", "{\"step\":3,\"loss\":1}"]);
        var e = Assert.Throws<InvalidDataException>(() => RunPlots.Write(_dir));
        Assert.Contains("metrics.jsonl:2", e.Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(_dir, "metrics.jsonl"));
        Assert.Empty(RunPlots.Write(_dir));
        File.WriteAllText(Path.Combine(_dir, "sweep.json"), "{\"trials\":[{\"id\":1}]}");
        Assert.Throws<InvalidDataException>(() => RunPlots.Write(_dir));
    }

    [Fact]
    public void FiguresRenderInlineInNotebooksAsSvg()
    {
        var figure = TrainingPlots.LearningCurve(MetricsHistory.Parse([.. FineTuningLog()]));
        var source = new FigureFormatterSource();
        var formatters = source.CreateTypeFormatters().ToList();
        var html = formatters.Single(f => ((dynamic)f).MimeType == "text/html");
        using var writer = new StringWriter();
        Assert.True(((dynamic)html).Format(figure, writer));
        Assert.StartsWith("<div class=\"roberta-zh-figure\"", writer.ToString(), StringComparison.Ordinal);
        Assert.Contains("<svg", writer.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("<?xml", writer.ToString(), StringComparison.Ordinal);
    }
}
