using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Data;

namespace Microsoft.ML.RobertaZh.Evaluation;

/// <summary>
/// Renders ML.NET's own metric objects (<see cref="BinaryClassificationMetrics"/>, its calibrated subclass,
/// <see cref="MulticlassClassificationMetrics"/> and <see cref="ConfusionMatrix"/>) as an aligned plain-text table, an
/// HTML fragment for notebooks, or JSON whose property names are ML.NET's. Nothing is recomputed: every number is read
/// from the metric object (the example count is the sum of the confusion matrix).
/// </summary>
public static class MetricsFormattingExtensions
{
    /// <summary>The metrics and the confusion table as aligned plain text.</summary>
    public static string ToTable(this BinaryClassificationMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return $"Binary classification metrics ({Count(metrics.ConfusionMatrix)} examples)\n" + MetricsFormat.Grid(["Metric", "Value"], Rows(metrics))
            + "\n" + metrics.ConfusionMatrix.ToTable();
    }

    /// <summary>An HTML fragment (two tables) for a notebook's <c>HTML(...)</c>.</summary>
    public static string ToHtml(this BinaryClassificationMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var sb = new StringBuilder("<div>");
        MetricsFormat.HtmlTable(sb, $"Binary classification metrics ({Count(metrics.ConfusionMatrix)} examples)", ["Metric", "Value"], Rows(metrics));
        AppendHtml(sb, metrics.ConfusionMatrix);
        return sb.Append("</div>").ToString();
    }

    /// <summary>The metrics as JSON with ML.NET's property names (undefined values as null; the calibrated ones when present).</summary>
    public static string ToJson(this BinaryClassificationMetrics metrics, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return MetricsFormat.Json(indented, w =>
        {
            foreach (var (name, value) in Values(metrics)) MetricsFormat.WriteNumber(w, name, value);
            w.WriteNumber("Count", Count(metrics.ConfusionMatrix));
            WriteJson(w, metrics.ConfusionMatrix);
        });
    }

    /// <summary>The metrics, a per-class table and the confusion table as aligned plain text.</summary>
    public static string ToTable(this MulticlassClassificationMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return $"Multiclass classification metrics ({Count(metrics.ConfusionMatrix)} examples)\n" + MetricsFormat.Grid(["Metric", "Value"], Rows(metrics))
            + "\n" + MetricsFormat.Grid(PerClassHeader, PerClassRows(metrics)) + "\n" + metrics.ConfusionMatrix.ToTable();
    }

    /// <summary>An HTML fragment (three tables) for a notebook's <c>HTML(...)</c>.</summary>
    public static string ToHtml(this MulticlassClassificationMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var sb = new StringBuilder("<div>");
        MetricsFormat.HtmlTable(sb, $"Multiclass classification metrics ({Count(metrics.ConfusionMatrix)} examples)", ["Metric", "Value"], Rows(metrics));
        MetricsFormat.HtmlTable(sb, "Per class", PerClassHeader, PerClassRows(metrics));
        AppendHtml(sb, metrics.ConfusionMatrix);
        return sb.Append("</div>").ToString();
    }

    /// <summary>The metrics as JSON with ML.NET's property names (undefined values as null).</summary>
    public static string ToJson(this MulticlassClassificationMetrics metrics, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return MetricsFormat.Json(indented, w =>
        {
            MetricsFormat.WriteNumber(w, nameof(metrics.MicroAccuracy), metrics.MicroAccuracy);
            MetricsFormat.WriteNumber(w, nameof(metrics.MacroAccuracy), metrics.MacroAccuracy);
            MetricsFormat.WriteNumber(w, nameof(metrics.LogLoss), metrics.LogLoss);
            MetricsFormat.WriteNumber(w, nameof(metrics.LogLossReduction), metrics.LogLossReduction);
            w.WriteNumber(nameof(metrics.TopKPredictionCount), metrics.TopKPredictionCount);
            MetricsFormat.WriteNumber(w, nameof(metrics.TopKAccuracy), metrics.TopKAccuracy);
            MetricsFormat.WriteArray(w, nameof(metrics.TopKAccuracyForAllK), metrics.TopKAccuracyForAllK ?? []);
            MetricsFormat.WriteArray(w, nameof(metrics.PerClassLogLoss), metrics.PerClassLogLoss);
            w.WriteNumber("Count", Count(metrics.ConfusionMatrix));
            WriteJson(w, metrics.ConfusionMatrix);
        });
    }

    /// <summary>
    /// The confusion matrix as an aligned table (true classes as rows, with recall; a last row of precisions). Class
    /// names are ML.NET's (from the score's SlotNames or the label's KeyValues), read from
    /// <see cref="ConfusionMatrix.GetFormattedConfusionTable"/>, so wide (Chinese) names align.
    /// </summary>
    public static string ToTable(this ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var (header, rows) = TableCells(matrix, "TRUTH \\ PREDICTED");
        return "Confusion table\n" + MetricsFormat.Grid(header, rows);
    }

    /// <summary>The confusion matrix as an HTML table.</summary>
    public static string ToHtml(this ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var sb = new StringBuilder();
        AppendHtml(sb, matrix);
        return sb.ToString();
    }

    /// <summary>
    /// The class names of the matrix in index order, as ML.NET printed them in
    /// <see cref="ConfusionMatrix.GetFormattedConfusionTable"/> (ML.NET keeps the names themselves internal).
    /// </summary>
    public static IReadOnlyList<string> GetClassNames(this ConfusionMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return ConfusionTableNames.Parse(matrix.GetFormattedConfusionTable(), matrix.NumberOfClasses);
    }

    private static long Count(ConfusionMatrix m) => (long)Math.Round(m.Counts.Sum(r => r.Sum()));

    private static IEnumerable<(string Name, double Value)> Values(BinaryClassificationMetrics m)
    {
        yield return (nameof(m.Accuracy), m.Accuracy);
        yield return (nameof(m.AreaUnderRocCurve), m.AreaUnderRocCurve);
        yield return (nameof(m.AreaUnderPrecisionRecallCurve), m.AreaUnderPrecisionRecallCurve);
        yield return (nameof(m.F1Score), m.F1Score);
        yield return (nameof(m.PositivePrecision), m.PositivePrecision);
        yield return (nameof(m.PositiveRecall), m.PositiveRecall);
        yield return (nameof(m.NegativePrecision), m.NegativePrecision);
        yield return (nameof(m.NegativeRecall), m.NegativeRecall);
        if (m is CalibratedBinaryClassificationMetrics c)
        {
            yield return (nameof(c.LogLoss), c.LogLoss);
            yield return (nameof(c.LogLossReduction), c.LogLossReduction);
            yield return (nameof(c.Entropy), c.Entropy);
        }
    }

    private static List<string[]> Rows(BinaryClassificationMetrics m) => [.. Values(m).Select(v => new[] { v.Name, MetricsFormat.Number(v.Value) })];

    private static readonly string[] PerClassHeader = ["Class", "Precision", "Recall", "LogLoss", "Support"];

    private static List<string[]> Rows(MulticlassClassificationMetrics m)
    {
        var rows = new List<string[]>
        {
            new[] { nameof(m.MicroAccuracy), MetricsFormat.Number(m.MicroAccuracy) },
            new[] { nameof(m.MacroAccuracy), MetricsFormat.Number(m.MacroAccuracy) },
            new[] { nameof(m.LogLoss), MetricsFormat.Number(m.LogLoss) },
            new[] { nameof(m.LogLossReduction), MetricsFormat.Number(m.LogLossReduction) },
        };
        if (m.TopKPredictionCount > 0)
            rows.Add([string.Create(CultureInfo.InvariantCulture, $"{nameof(m.TopKAccuracy)} (K={m.TopKPredictionCount})"), MetricsFormat.Number(m.TopKAccuracy)]);
        return rows;
    }

    private static List<string[]> PerClassRows(MulticlassClassificationMetrics m)
    {
        var cm = m.ConfusionMatrix;
        var names = cm.GetClassNames();
        return [.. Enumerable.Range(0, cm.NumberOfClasses).Select(c => new[]
        {
            names[c], MetricsFormat.Number(cm.PerClassPrecision[c]), MetricsFormat.Number(cm.PerClassRecall[c]),
            MetricsFormat.Number(c < m.PerClassLogLoss.Count ? m.PerClassLogLoss[c] : double.NaN), MetricsFormat.Count(cm.Counts[c].Sum()),
        })];
    }

    private static void AppendHtml(StringBuilder sb, ConfusionMatrix m)
    {
        var (header, rows) = TableCells(m, "Truth \\ Predicted");
        MetricsFormat.HtmlTable(sb, "Confusion matrix", header, rows);
    }

    private static void WriteJson(Utf8JsonWriter w, ConfusionMatrix m)
    {
        w.WriteStartObject(nameof(ConfusionMatrix));
        w.WriteNumber(nameof(m.NumberOfClasses), m.NumberOfClasses);
        w.WriteStartArray("ClassNames");
        foreach (var n in m.GetClassNames()) w.WriteStringValue(n);
        w.WriteEndArray();
        w.WriteStartArray(nameof(m.Counts));
        foreach (var row in m.Counts)
        {
            w.WriteStartArray();
            foreach (var v in row) w.WriteNumberValue(v);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        MetricsFormat.WriteArray(w, nameof(m.PerClassPrecision), m.PerClassPrecision);
        MetricsFormat.WriteArray(w, nameof(m.PerClassRecall), m.PerClassRecall);
        w.WriteEndObject();
    }

    // Header and rows shared by the text and HTML renderings: counts per true class with its recall, then precisions.
    private static (List<string> Header, List<string[]> Rows) TableCells(ConfusionMatrix m, string corner)
    {
        var names = m.GetClassNames();
        var header = new List<string> { corner };
        header.AddRange(names);
        header.Add("Recall");
        var rows = new List<string[]>();
        for (int t = 0; t < m.NumberOfClasses; t++)
            rows.Add([names[t], .. m.Counts[t].Select(MetricsFormat.Count), MetricsFormat.Number(m.PerClassRecall[t])]);
        rows.Add(["Precision", .. m.PerClassPrecision.Select(MetricsFormat.Number), ""]);
        return (header, rows);
    }
}
