using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Evaluation;

/// <summary>
/// Counts of (true class, predicted class) pairs with per-class precision, recall and F1 (ML.NET's
/// <c>ConfusionMatrix</c>). <see cref="Counts"/>[t][p] is the number of examples of true class t predicted as p.
/// For binary metrics the classes are, as in ML.NET, positive (index 0) then negative (index 1).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly double[][] _counts;

    internal ConfusionMatrix(double[][] counts, IReadOnlyList<string> classNames, bool isBinary)
    {
        _counts = counts;
        int k = counts.Length;
        NumberOfClasses = k;
        ClassNames = classNames;
        IsBinary = isBinary;
        var precision = new double[k];
        var recall = new double[k];
        var f1 = new double[k];
        for (int c = 0; c < k; c++)
        {
            double tp = counts[c][c], predicted = 0, actual = counts[c].Sum();
            for (int t = 0; t < k; t++) predicted += counts[t][c];
            precision[c] = predicted > 0 ? tp / predicted : 0;
            recall[c] = actual > 0 ? tp / actual : 0;
            f1[c] = precision[c] + recall[c] > 0 ? 2 * precision[c] * recall[c] / (precision[c] + recall[c]) : 0;
        }

        PerClassPrecision = precision;
        PerClassRecall = recall;
        PerClassF1Score = f1;
        Counts = counts.Select(r => (IReadOnlyList<double>)r).ToArray();
    }

    /// <summary>The number of classes.</summary>
    public int NumberOfClasses { get; }

    /// <summary>True for a binary matrix (classes positive, negative).</summary>
    public bool IsBinary { get; }

    /// <summary>The class names, in index order ("positive", "negative" for binary; the label names, or "0", "1", ... for multiclass).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Counts[t][p]: examples of true class t predicted as class p.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Counts { get; }

    /// <summary>For each class: correct predictions of it over all predictions of it (0 when never predicted).</summary>
    public IReadOnlyList<double> PerClassPrecision { get; }

    /// <summary>For each class: correct predictions of it over its examples (0 when it has none).</summary>
    public IReadOnlyList<double> PerClassRecall { get; }

    /// <summary>For each class: the harmonic mean of its precision and recall (0 when both are 0).</summary>
    public IReadOnlyList<double> PerClassF1Score { get; }

    /// <summary>The number of examples of class <paramref name="actualClassIndex"/> predicted as <paramref name="predictedClassIndex"/>.</summary>
    public double GetCountForClassPair(int predictedClassIndex, int actualClassIndex) => _counts[actualClassIndex][predictedClassIndex];

    /// <summary>The matrix as a plain-text table: one row per true class with its recall, a last row of precisions.</summary>
    public string GetFormattedConfusionTable()
    {
        var (header, rows) = TableCells("TRUTH \\ PREDICTED");
        return "Confusion table\n" + MetricsFormat.Grid(header, rows);
    }

    /// <summary>The matrix as an HTML table.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        AppendHtml(sb);
        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => GetFormattedConfusionTable();

    internal void AppendHtml(StringBuilder sb)
    {
        var (header, rows) = TableCells("Truth \\ Predicted");
        MetricsFormat.HtmlTable(sb, "Confusion matrix", header, rows);
    }

    internal void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject(nameof(ConfusionMatrix));
        w.WriteNumber(nameof(NumberOfClasses), NumberOfClasses);
        w.WriteStartArray(nameof(ClassNames));
        foreach (var n in ClassNames) w.WriteStringValue(n);
        w.WriteEndArray();
        w.WriteStartArray(nameof(Counts));
        foreach (var row in _counts)
        {
            w.WriteStartArray();
            foreach (var v in row) w.WriteNumberValue(v);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        MetricsFormat.WriteArray(w, nameof(PerClassPrecision), PerClassPrecision);
        MetricsFormat.WriteArray(w, nameof(PerClassRecall), PerClassRecall);
        MetricsFormat.WriteArray(w, nameof(PerClassF1Score), PerClassF1Score);
        w.WriteEndObject();
    }

    internal static IReadOnlyList<string> DefaultNames(int k) =>
        Enumerable.Range(0, k).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    // Header and rows shared by the text and HTML renderings: counts per true class with its recall, then precisions.
    private (List<string> Header, List<string[]> Rows) TableCells(string corner)
    {
        var header = new List<string> { corner };
        header.AddRange(ClassNames);
        header.Add("Recall");
        var rows = new List<string[]>();
        for (int t = 0; t < NumberOfClasses; t++)
            rows.Add([ClassNames[t], .. _counts[t].Select(MetricsFormat.Count), MetricsFormat.Number(PerClassRecall[t])]);
        rows.Add(["Precision", .. PerClassPrecision.Select(MetricsFormat.Number), ""]);
        return (header, rows);
    }
}
