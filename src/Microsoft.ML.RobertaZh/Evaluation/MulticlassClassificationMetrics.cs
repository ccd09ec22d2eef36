using System.Globalization;
using System.Text;

namespace Microsoft.ML.RobertaZh.Evaluation;

/// <summary>
/// Multiclass classification metrics with ML.NET's names and meanings, plus per-class F1. Compute them with
/// <see cref="Evaluator.EvaluateMulticlass(IReadOnlyList{int}, IReadOnlyList{float[]}, int, IReadOnlyList{string}?, IReadOnlyList{double}?)"/>.
/// </summary>
public sealed class MulticlassClassificationMetrics
{
    internal MulticlassClassificationMetrics(double micro, double macro, double logLoss, double priorLogLoss, double[] perClassLogLoss,
        int topK, double[] topKForAllK, ConfusionMatrix matrix, long count)
    {
        MicroAccuracy = micro;
        MacroAccuracy = macro;
        LogLoss = logLoss;
        LogLossReduction = priorLogLoss > 0 ? (priorLogLoss - logLoss) / priorLogLoss : double.NaN;
        PerClassLogLoss = perClassLogLoss;
        TopKPredictionCount = topK;
        TopKAccuracyForAllK = topKForAllK;
        ConfusionMatrix = matrix;
        Count = count;
    }

    /// <summary>The fraction of examples classified correctly (each example counts the same).</summary>
    public double MicroAccuracy { get; }

    /// <summary>The mean over classes of each class's accuracy (recall), each class counting the same; classes without examples are left out.</summary>
    public double MacroAccuracy { get; }

    /// <summary>The mean log-loss (natural log): −mean ln p, p being the probability given to the true class, clipped to [1e-15, 1].</summary>
    public double LogLoss { get; }

    /// <summary>
    /// (LogLoss(prior) − <see cref="LogLoss"/>) / LogLoss(prior), where LogLoss(prior) is the log-loss of always
    /// predicting the prior class distribution: by default the evaluated set's label frequencies (as ML.NET); pass the
    /// training frequencies to the evaluator to measure against those. NaN when the prior log-loss is 0 (one class).
    /// </summary>
    public double LogLossReduction { get; }

    /// <summary>For each class, the mean log-loss over its examples (NaN for a class without examples).</summary>
    public IReadOnlyList<double> PerClassLogLoss { get; }

    /// <summary>The K of <see cref="TopKAccuracy"/> (0: not computed).</summary>
    public int TopKPredictionCount { get; }

    /// <summary>The fraction of examples whose true class is among the K highest scores (ties: the lower class index ranks first); 0 when K is 0.</summary>
    public double TopKAccuracy => TopKAccuracyForAllK.Count == 0 ? 0 : TopKAccuracyForAllK[^1];

    /// <summary>The top-k accuracy for k = 1 .. <see cref="TopKPredictionCount"/> (item 0 is <see cref="MicroAccuracy"/>).</summary>
    public IReadOnlyList<double> TopKAccuracyForAllK { get; }

    /// <summary>The confusion matrix, with per-class precision, recall and F1.</summary>
    public ConfusionMatrix ConfusionMatrix { get; }

    /// <summary>The number of examples evaluated.</summary>
    public long Count { get; }

    /// <summary>The metrics, a per-class table and the confusion table as aligned plain text.</summary>
    public string ToTable() =>
        "Multiclass classification metrics (" + Count + " examples)\n" + MetricsFormat.Grid(["Metric", "Value"], Rows()) + "\n"
        + MetricsFormat.Grid(PerClassHeader, PerClassRows()) + "\n" + ConfusionMatrix.GetFormattedConfusionTable();

    /// <inheritdoc/>
    public override string ToString() => ToTable();

    /// <summary>An HTML fragment (three tables) for a notebook's <c>HTML(...)</c>.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder("<div>");
        MetricsFormat.HtmlTable(sb, $"Multiclass classification metrics ({Count} examples)", ["Metric", "Value"], Rows());
        MetricsFormat.HtmlTable(sb, "Per class", PerClassHeader, PerClassRows());
        ConfusionMatrix.AppendHtml(sb);
        return sb.Append("</div>").ToString();
    }

    /// <summary>The metrics as JSON with ML.NET's property names (undefined values as null).</summary>
    public string ToJson(bool indented = true) => MetricsFormat.Json(indented, w =>
    {
        MetricsFormat.WriteNumber(w, nameof(MicroAccuracy), MicroAccuracy);
        MetricsFormat.WriteNumber(w, nameof(MacroAccuracy), MacroAccuracy);
        MetricsFormat.WriteNumber(w, nameof(LogLoss), LogLoss);
        MetricsFormat.WriteNumber(w, nameof(LogLossReduction), LogLossReduction);
        w.WriteNumber(nameof(TopKPredictionCount), TopKPredictionCount);
        MetricsFormat.WriteNumber(w, nameof(TopKAccuracy), TopKAccuracy);
        MetricsFormat.WriteArray(w, nameof(TopKAccuracyForAllK), TopKAccuracyForAllK);
        MetricsFormat.WriteArray(w, nameof(PerClassLogLoss), PerClassLogLoss);
        w.WriteNumber(nameof(Count), Count);
        ConfusionMatrix.WriteJson(w);
    });

    private static readonly string[] PerClassHeader = ["Class", "Precision", "Recall", "F1Score", "LogLoss", "Support"];

    private List<string[]> Rows()
    {
        var rows = new List<string[]>
        {
            new[] { nameof(MicroAccuracy), MetricsFormat.Number(MicroAccuracy) },
            new[] { nameof(MacroAccuracy), MetricsFormat.Number(MacroAccuracy) },
            new[] { nameof(LogLoss), MetricsFormat.Number(LogLoss) },
            new[] { nameof(LogLossReduction), MetricsFormat.Number(LogLossReduction) },
        };
        if (TopKPredictionCount > 0)
            rows.Add([string.Create(CultureInfo.InvariantCulture, $"{nameof(TopKAccuracy)} (K={TopKPredictionCount})"), MetricsFormat.Number(TopKAccuracy)]);
        return rows;
    }

    private List<string[]> PerClassRows()
    {
        var m = ConfusionMatrix;
        return Enumerable.Range(0, m.NumberOfClasses).Select(c => new[]
        {
            m.ClassNames[c], MetricsFormat.Number(m.PerClassPrecision[c]), MetricsFormat.Number(m.PerClassRecall[c]),
            MetricsFormat.Number(m.PerClassF1Score[c]), MetricsFormat.Number(PerClassLogLoss[c]), MetricsFormat.Count(m.Counts[c].Sum()),
        }).ToList();
    }
}
