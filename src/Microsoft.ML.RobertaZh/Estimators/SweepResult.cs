using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>One trial of a sweep.</summary>
/// <param name="Parameters">The trial's hyper-parameters.</param>
/// <param name="Metrics">The ML.NET validation metrics by name (Accuracy, AreaUnderRocCurve, F1Score, LogLoss, MacroAccuracy, ...); empty while starting or when cancelled.</param>
/// <param name="Seconds">Wall time of the trial (fit and evaluation).</param>
/// <param name="Completed">False when the time budget cancelled the trial.</param>
public sealed record SweepTrial(SweepTrialParameters Parameters, IReadOnlyDictionary<string, double> Metrics, double Seconds, bool Completed)
{
    /// <summary>1-based trial number.</summary>
    public int Id => Parameters.TrialId;

    /// <summary>The value of <paramref name="metric"/>, or NaN when not measured.</summary>
    public double Value(SweepMetric metric) => Metrics.TryGetValue(metric.ToString(), out double v) ? v : double.NaN;

    /// <summary>The value of <paramref name="metric"/> oriented so that larger is better (LogLoss negated).</summary>
    internal double Score(SweepMetric metric) => metric == SweepMetric.LogLoss ? -Value(metric) : Value(metric);
}

/// <summary>What a sweep found: every trial, the best one by the chosen metric, and its fitted model.</summary>
[Display.TypeFormatterSource(typeof(Display.SweepResultDisplay), PreferredMimeTypes = ["text/html"])]
public sealed class SweepResult
{
    internal SweepResult(IReadOnlyList<SweepTrial> trials, SweepTrial best, SweepMetric metric, ITransformer bestModel)
    {
        Trials = trials;
        Best = best;
        Metric = metric;
        BestModel = bestModel;
    }

    /// <summary>The trials run, in order.</summary>
    public IReadOnlyList<SweepTrial> Trials { get; }

    /// <summary>The best trial.</summary>
    public SweepTrial Best { get; }

    /// <summary>The metric the best trial was chosen by.</summary>
    public SweepMetric Metric { get; }

    /// <summary>The best trial's fitted model (what its estimator's Fit returned).</summary>
    public ITransformer BestModel { get; }

    /// <summary>A plain-text table, one row per trial, the best marked with <c>*</c>.</summary>
    public string ToTable()
    {
        var inv = CultureInfo.InvariantCulture;
        var names = Trials.SelectMany(t => t.Metrics.Keys).Distinct().ToList();
        var sb = new StringBuilder();
        sb.Append("trial  epochs  batch  learning_rate");
        foreach (var n in names) sb.Append(inv, $"  {n,13}");
        sb.AppendLine("  seconds");
        foreach (var t in Trials)
        {
            var p = t.Parameters;
            sb.Append(inv, $"{(t == Best ? "*" : " ")}{t.Id,4}  {p.Epochs,6}  {p.BatchSize,5}  {p.LearningRate,13:0.###E+0}");
            foreach (var n in names) sb.Append(inv, $"  {(t.Metrics.TryGetValue(n, out double v) ? v.ToString("F4", inv) : "-"),13}");
            sb.AppendLine(inv, $"  {t.Seconds,7:F1}{(t.Completed ? "" : "  (cancelled by the time budget)")}");
        }

        sb.Append(inv, $"best: trial {Best.Id} by {Metric} {Best.Value(Metric):F4} (epochs {Best.Parameters.Epochs}, batch {Best.Parameters.BatchSize}, learning rate {Best.Parameters.LearningRate:G3})");
        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToTable();

    /// <summary>The trials and the best one as JSON.</summary>
    public string ToJson(bool indented = true)
    {
        var document = new
        {
            metric = Metric.ToString(),
            best_trial = Best.Id,
            trials = Trials.Select(t => new
            {
                id = t.Id, epochs = t.Parameters.Epochs, batch_size = t.Parameters.BatchSize, learning_rate = t.Parameters.LearningRate, completed = t.Completed,
                metrics = t.Metrics.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? kv.Value : (double?)null), seconds = t.Seconds,
            }),
        };
        return JsonSerializer.Serialize(document, indented ? Indented : Compact);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions Compact = new();
}
