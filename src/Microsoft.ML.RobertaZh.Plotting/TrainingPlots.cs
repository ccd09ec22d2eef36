using ScottPlot;

namespace Microsoft.ML.RobertaZh.Plotting;

/// <summary>
/// Figures of a training run: the learning curve (loss, accuracy and learning rate against step), the per-epoch
/// validation metrics of a fine-tuning run, and a sweep's trials. Labels are ASCII, so they render with any font;
/// held-out series carry markers (SVG output cannot dash lines).
/// </summary>
public static class TrainingPlots
{
    private const int Width = 960, RowHeight = 300;

    // Fixed margins (the legend sits in the right one), so that the rows of a figure line up on the step axis.
    private static readonly PixelPadding RowPadding = new(left: 80, right: 290, bottom: 50, top: 40);

    /// <summary>
    /// Loss (training, held-out) against step; accuracy (training and held-out masked-LM accuracy, held-out accuracy,
    /// the most-frequent-token baseline) against step when the run logged any; learning rate against step.
    /// </summary>
    public static Figure LearningCurve(MetricsHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var plots = new List<Plot>();
        var loss = NewPlot("Loss against step", "step", "loss", RowPadding);
        int a = Line(loss, history.Training, "loss", "train loss", 0, heldOut: false);
        int b = Line(loss, history.Evaluations, "loss", "held-out loss", 1, heldOut: true);
        Legend(loss, a + b);
        plots.Add(loss);

        var accuracy = NewPlot("Accuracy against step", "step", "accuracy", RowPadding);
        int n = Line(accuracy, history.Training, "mlm_accuracy", "train MLM accuracy", 0, heldOut: false)
            + Line(accuracy, history.Evaluations, "mlm_accuracy", "held-out MLM accuracy", 1, heldOut: true)
            + Line(accuracy, history.Evaluations, "accuracy", "held-out accuracy", 2, heldOut: true)
            + Line(accuracy, history.Evaluations, "baseline_accuracy", "most-frequent-token baseline", 7, heldOut: true);
        if (n > 0)
        {
            Legend(accuracy, n);
            plots.Add(accuracy);
        }

        var lr = NewPlot("Learning rate against step", "step", "learning rate", RowPadding);
        Legend(lr, Line(lr, history.Training, "lr", "learning rate", 3, heldOut: false));
        plots.Add(lr);
        if (plots.Count > 1)
        {
            // One x range for every row, so that a step lines up vertically.
            var steps = history.Training.Concat(history.Evaluations).Select(r => (double)r.Step).DefaultIfEmpty(0).ToList();
            double min = steps.Min(), max = Math.Max(steps.Max(), min + 1), pad = (max - min) * 0.02;
            foreach (var p in plots) p.Axes.SetLimitsX(min - pad, max + pad);
        }
        return new Figure("Learning curve", plots, Width, RowHeight * plots.Count);
    }

    /// <summary>
    /// Held-out accuracy (left axis) and log-loss (right axis) after each epoch of a fine-tuning run, the best epoch
    /// marked; null when the run has no held-out accuracy.
    /// </summary>
    public static Figure? ValidationMetrics(MetricsHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var evals = history.Evaluations.Where(e => double.IsFinite(e.Get("accuracy"))).ToList();
        if (evals.Count == 0) return null;
        double[] epochs = [.. evals.Select((e, i) => EpochAt(history, e.Step) ?? i + 1)];
        double[] accuracy = [.. evals.Select(e => e.Get("accuracy"))];
        var plot = NewPlot("Validation metrics per epoch", "epoch", "accuracy", null);
        var acc = plot.Add.Scatter(epochs, accuracy);
        Style(acc, "validation accuracy", 2, markers: true);
        int items = 1;
        var withLoss = evals.Select((e, i) => (Epoch: epochs[i], Loss: e.Get("loss"))).Where(p => double.IsFinite(p.Loss)).ToList();
        if (withLoss.Count > 0)
        {
            var loss = plot.Add.Scatter(withLoss.Select(p => p.Epoch).ToArray(), withLoss.Select(p => p.Loss).ToArray());
            Style(loss, "validation log-loss (right axis)", 1, markers: true);
            loss.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "log-loss";
            items++;
        }
        int best = Array.IndexOf(accuracy, accuracy.Max());
        var line = plot.Add.VerticalLine(epochs[best]);
        line.LineColor = Colors.Gray.WithAlpha(0.7);
        line.LineWidth = 1.5f;
        line.LegendText = FormattableString.Invariant($"best epoch ({epochs[best]:0.##}: accuracy {accuracy[best]:0.000})");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = epochs.All(e => e == Math.Round(e)) };
        Legend(plot, items + 1);
        return new Figure("Validation metrics per epoch", [plot], Width, 420);
    }

    /// <summary>Each trial's validation score of its best epoch as a bar, best first, the chosen trial highlighted.</summary>
    public static Figure Sweep(SweepSummary sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        string metric = sweep.ByLogLoss ? "validation log-loss (lower is better)" : "validation accuracy";
        double Score(SweepTrialSummary t) => sweep.ByLogLoss ? t.LogLoss : t.Accuracy;
        var ranked = sweep.Trials.Where(t => double.IsFinite(Score(t)))
            .OrderBy(t => sweep.ByLogLoss ? Score(t) : -Score(t)).ToList();
        var plot = NewPlot(FormattableString.Invariant($"Sweep: {sweep.Trials.Count} trials, best #{sweep.BestTrial}"), metric, "", null);
        var bars = new List<Bar>();
        for (int i = 0; i < ranked.Count; i++)
        {
            var t = ranked[i];
            bars.Add(new Bar
            {
                Position = ranked.Count - 1 - i, Value = Score(t), Label = FormattableString.Invariant($"{Score(t):0.0000}"),
                FillColor = t.Id == sweep.BestTrial ? Palette(2) : Palette(0).WithAlpha(0.55),
            });
        }
        var series = plot.Add.Bars(bars);
        series.Horizontal = true;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. ranked.Select((_, i) => (double)(ranked.Count - 1 - i))], [.. ranked.Select(t => t.Label)]);
        plot.Axes.Margins(left: 0, right: 0.15, bottom: 0.02, top: 0.02);
        return new Figure("Sweep", [plot], Width, Math.Max(260, 110 + (26 * ranked.Count)));
    }

    private static double? EpochAt(MetricsHistory history, long step)
    {
        var record = history.Training.LastOrDefault(r => r.Step <= step);
        double epoch = record?.Get("epoch") ?? double.NaN;
        return double.IsFinite(epoch) ? Math.Round(epoch, 2) : null;
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel, PixelPadding? padding)
    {
        var plot = new Plot();
        plot.Font.Set(SansSerif.Value);
        plot.Title(title, 15);
        plot.XLabel(xLabel, 13);
        if (yLabel.Length > 0) plot.YLabel(yLabel, 13);
        if (padding is { } p) plot.Layout.Fixed(p);
        return plot;
    }

    // A sans-serif family the machine has (DejaVu Sans on Debian), else ScottPlot's default.
    private static readonly Lazy<string> SansSerif = new(() =>
        new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica" }.FirstOrDefault(f =>
            SkiaSharp.SKFontManager.Default.MatchFamily(f) is { } typeface && typeface.FamilyName == f) ?? Fonts.Default);

    // Adds the series (step, key) when any record has the key; returns the number of legend entries added.
    private static int Line(Plot plot, IReadOnlyList<MetricsRecord> records, string key, string label, int color, bool heldOut)
    {
        var points = records.Select(r => (X: (double)r.Step, Y: r.Get(key))).Where(p => double.IsFinite(p.Y)).ToList();
        if (points.Count == 0) return 0;
        var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
        Style(scatter, label, color, markers: heldOut || points.Count <= 40);
        if (heldOut) scatter.LineWidth = 2.2f;
        return 1;
    }

    private static void Style(ScottPlot.Plottables.Scatter scatter, string label, int color, bool markers)
    {
        scatter.LegendText = label;
        scatter.Color = Palette(color);
        scatter.LineWidth = 1.4f;
        scatter.MarkerSize = markers ? 6 : 0;
    }

    private static void Legend(Plot plot, int items)
    {
        if (items > 0) plot.ShowLegend(Edge.Right);
    }

    private static Color Palette(int index) => new ScottPlot.Palettes.Category10().GetColor(index);
}
