using System.Text;

namespace Microsoft.ML.RobertaZh.Evaluation;

/// <summary>
/// Binary classification metrics with ML.NET's names and meanings (ML.NET splits the probability-based ones into
/// <c>CalibratedBinaryClassificationMetrics</c>; our scores are always probabilities, so they are here).
/// Compute them with <see cref="Evaluator.EvaluateBinary(IReadOnlyList{bool}, IReadOnlyList{float}, double)"/>.
/// </summary>
public sealed class BinaryClassificationMetrics
{
    internal BinaryClassificationMetrics(double accuracy, double auc, double auprc, double logLoss, double entropy, ConfusionMatrix matrix, long count)
    {
        Accuracy = accuracy;
        AreaUnderRocCurve = auc;
        AreaUnderPrecisionRecallCurve = auprc;
        LogLoss = logLoss;
        Entropy = entropy;
        LogLossReduction = entropy > 0 ? (entropy - logLoss) / entropy : double.NaN;
        ConfusionMatrix = matrix;
        Count = count;
    }

    /// <summary>The fraction of examples classified correctly.</summary>
    public double Accuracy { get; }

    /// <summary>
    /// The area under the ROC curve: the trapezoid rule over the curve's points at each distinct score (as sklearn's
    /// <c>roc_auc_score</c>), so tied scores count one half, as in the Mann–Whitney statistic. NaN when only one class occurs.
    /// </summary>
    public double AreaUnderRocCurve { get; }

    /// <summary>
    /// The area under the precision-recall curve, as average precision: Σ (Rₖ − Rₖ₋₁)·Pₖ over the distinct scores from
    /// the highest down (sklearn's <c>average_precision_score</c>; tied scores form one step). NaN without positives.
    /// </summary>
    public double AreaUnderPrecisionRecallCurve { get; }

    /// <summary>The harmonic mean of <see cref="PositivePrecision"/> and <see cref="PositiveRecall"/>.</summary>
    public double F1Score => PositivePrecision + PositiveRecall > 0 ? 2 * PositivePrecision * PositiveRecall / (PositivePrecision + PositiveRecall) : 0;

    /// <summary>Of the examples predicted positive, the fraction that are positive.</summary>
    public double PositivePrecision => ConfusionMatrix.PerClassPrecision[0];

    /// <summary>Of the positive examples, the fraction predicted positive.</summary>
    public double PositiveRecall => ConfusionMatrix.PerClassRecall[0];

    /// <summary>Of the examples predicted negative, the fraction that are negative.</summary>
    public double NegativePrecision => ConfusionMatrix.PerClassPrecision[1];

    /// <summary>Of the negative examples, the fraction predicted negative.</summary>
    public double NegativeRecall => ConfusionMatrix.PerClassRecall[1];

    /// <summary>
    /// The mean log-loss in bits, as ML.NET's binary evaluator: −mean log₂ p, where p is the probability given to the
    /// true class, clipped to [1e-15, 1] so a confident mistake costs about 49.8 bits instead of infinity.
    /// </summary>
    public double LogLoss { get; }

    /// <summary>
    /// (<see cref="Entropy"/> − <see cref="LogLoss"/>) / <see cref="Entropy"/>: how much better than always predicting
    /// the evaluated set's positive rate (1 is perfect, 0 no better, negative worse). NaN when only one class occurs.
    /// </summary>
    public double LogLossReduction { get; }

    /// <summary>The entropy of the evaluated labels in bits: the log-loss of always predicting the positive rate.</summary>
    public double Entropy { get; }

    /// <summary>The confusion matrix (class 0 = positive, class 1 = negative, as in ML.NET).</summary>
    public ConfusionMatrix ConfusionMatrix { get; }

    /// <summary>The number of examples evaluated.</summary>
    public long Count { get; }

    /// <summary>The metrics and the confusion table as aligned plain text.</summary>
    public string ToTable() =>
        "Binary classification metrics (" + Count + " examples)\n" + MetricsFormat.Grid(["Metric", "Value"], Rows()) + "\n" + ConfusionMatrix.GetFormattedConfusionTable();

    /// <inheritdoc/>
    public override string ToString() => ToTable();

    /// <summary>An HTML fragment (two tables) for a notebook's <c>HTML(...)</c>.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder("<div>");
        MetricsFormat.HtmlTable(sb, $"Binary classification metrics ({Count} examples)", ["Metric", "Value"], Rows());
        ConfusionMatrix.AppendHtml(sb);
        return sb.Append("</div>").ToString();
    }

    /// <summary>The metrics as JSON with ML.NET's property names (undefined values as null).</summary>
    public string ToJson(bool indented = true) => MetricsFormat.Json(indented, w =>
    {
        MetricsFormat.WriteNumber(w, nameof(Accuracy), Accuracy);
        MetricsFormat.WriteNumber(w, nameof(AreaUnderRocCurve), AreaUnderRocCurve);
        MetricsFormat.WriteNumber(w, nameof(AreaUnderPrecisionRecallCurve), AreaUnderPrecisionRecallCurve);
        MetricsFormat.WriteNumber(w, nameof(F1Score), F1Score);
        MetricsFormat.WriteNumber(w, nameof(PositivePrecision), PositivePrecision);
        MetricsFormat.WriteNumber(w, nameof(PositiveRecall), PositiveRecall);
        MetricsFormat.WriteNumber(w, nameof(NegativePrecision), NegativePrecision);
        MetricsFormat.WriteNumber(w, nameof(NegativeRecall), NegativeRecall);
        MetricsFormat.WriteNumber(w, nameof(LogLoss), LogLoss);
        MetricsFormat.WriteNumber(w, nameof(LogLossReduction), LogLossReduction);
        MetricsFormat.WriteNumber(w, nameof(Entropy), Entropy);
        w.WriteNumber(nameof(Count), Count);
        ConfusionMatrix.WriteJson(w);
    });

    private List<string[]> Rows() =>
    [
        [nameof(Accuracy), MetricsFormat.Number(Accuracy)],
        [nameof(AreaUnderRocCurve), MetricsFormat.Number(AreaUnderRocCurve)],
        [nameof(AreaUnderPrecisionRecallCurve), MetricsFormat.Number(AreaUnderPrecisionRecallCurve)],
        [nameof(F1Score), MetricsFormat.Number(F1Score)],
        [nameof(PositivePrecision), MetricsFormat.Number(PositivePrecision)],
        [nameof(PositiveRecall), MetricsFormat.Number(PositiveRecall)],
        [nameof(NegativePrecision), MetricsFormat.Number(NegativePrecision)],
        [nameof(NegativeRecall), MetricsFormat.Number(NegativeRecall)],
        [nameof(LogLoss), MetricsFormat.Number(LogLoss)],
        [nameof(LogLossReduction), MetricsFormat.Number(LogLossReduction)],
        [nameof(Entropy), MetricsFormat.Number(Entropy)],
    ];
}
