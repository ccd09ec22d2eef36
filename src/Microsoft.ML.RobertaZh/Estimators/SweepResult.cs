using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>One trial of a sweep.</summary>
/// <param name="Id">1-based trial number.</param>
/// <param name="Epochs">Epochs of the trial.</param>
/// <param name="BatchSize">Batch size of the trial.</param>
/// <param name="LearningRate">Peak learning rate of the trial.</param>
/// <param name="History">Validation metrics of each epoch run (empty when the trial is starting).</param>
/// <param name="Seconds">Wall time of the trial.</param>
public sealed record SweepTrial(int Id, int Epochs, int BatchSize, float LearningRate, IReadOnlyList<EpochMetrics> History, double Seconds)
{
    /// <summary>The epoch with the best validation accuracy (whose weights the trial keeps), or null before any.</summary>
    public EpochMetrics? BestEpoch => History.Count == 0 ? null : History.MaxBy(h => h.Accuracy);

    /// <summary>Validation accuracy of the best epoch.</summary>
    public double Accuracy => BestEpoch?.Accuracy ?? double.NaN;

    /// <summary>Validation log-loss of the best epoch.</summary>
    public double LogLoss => BestEpoch?.LogLoss ?? double.NaN;

    /// <summary>True when every epoch ran (false when the time budget or early stopping ended it sooner).</summary>
    public bool Completed => History.Count >= Epochs;

    /// <summary>The value of <paramref name="metric"/>, oriented so that larger is better.</summary>
    internal double Score(SweepMetric metric) => metric == SweepMetric.Accuracy ? Accuracy : -LogLoss;
}

/// <summary>What a sweep found: every trial, the best one (by the chosen metric) and its model.</summary>
[Display.TypeFormatterSource(typeof(Display.SweepResultDisplay), PreferredMimeTypes = ["text/html"])]
public sealed class SweepResult
{
    internal SweepResult(IReadOnlyList<SweepTrial> trials, SweepTrial best, SweepMetric metric, RobertaClassifierTransformer bestModel)
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

    /// <summary>The best trial's model (its best epoch's weights).</summary>
    public RobertaClassifierTransformer BestModel { get; }

    /// <summary>A plain-text table, one row per trial, the best marked with <c>*</c>.</summary>
    public string ToTable()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("trial  epochs  batch  learning_rate  best_epoch  accuracy  log_loss  seconds");
        foreach (var t in Trials)
        {
            sb.AppendLine(string.Create(inv,
                $"{(t == Best ? "*" : " ")}{t.Id,4}  {t.Epochs,6}  {t.BatchSize,5}  {t.LearningRate,13:0.###E+0}  {t.BestEpoch?.Epoch.ToString(inv) ?? "-",10}  {t.Accuracy,8:F4}  {t.LogLoss,8:F4}  {t.Seconds,7:F1}{(t.Completed ? "" : "  (stopped before its last epoch)")}"));
        }
        sb.Append(string.Create(inv, $"best: trial {Best.Id} by {Metric} (epochs {Best.Epochs}, batch {Best.BatchSize}, learning rate {Best.LearningRate:G3}, epoch {Best.BestEpoch?.Epoch})"));
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
                id = t.Id, epochs = t.Epochs, batch_size = t.BatchSize, learning_rate = t.LearningRate, completed = t.Completed,
                best_epoch = t.BestEpoch?.Epoch, accuracy = Finite(t.Accuracy), log_loss = Finite(t.LogLoss), seconds = t.Seconds,
                history = t.History.Select(h => new { epoch = h.Epoch, step = h.Step, accuracy = Finite(h.Accuracy), log_loss = Finite(h.LogLoss), seconds = h.Seconds }),
            }),
        };
        return JsonSerializer.Serialize(document, indented ? Indented : Compact);
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions Compact = new();
}
