using System.Text.Json;

namespace Microsoft.ML.RobertaZh.Plotting;

/// <summary>One trial of a hyper-parameter sweep, with the validation metrics of its best epoch.</summary>
/// <param name="Id">1-based trial number.</param>
/// <param name="Epochs">Epochs of the trial.</param>
/// <param name="BatchSize">Batch size of the trial.</param>
/// <param name="LearningRate">Peak learning rate of the trial.</param>
/// <param name="Accuracy">Validation accuracy of its best epoch (NaN when none finished).</param>
/// <param name="LogLoss">Validation log-loss of its best epoch (NaN when none finished).</param>
public sealed record SweepTrialSummary(int Id, int Epochs, int BatchSize, double LearningRate, double Accuracy, double LogLoss)
{
    /// <summary>A short label: trial number, epochs, batch size and learning rate.</summary>
    public string Label => FormattableString.Invariant($"#{Id}: {Epochs} ep, batch {BatchSize}, lr {LearningRate:0.#E+0}");
}

/// <summary>A sweep's trials and its choice (<c>sweep.json</c>, written beside the best model).</summary>
/// <param name="Metric">The metric the best trial was chosen by: <c>Accuracy</c> or <c>LogLoss</c>.</param>
/// <param name="BestTrial">Id of the best trial.</param>
/// <param name="Trials">Every trial, in the order run.</param>
public sealed record SweepSummary(string Metric, int BestTrial, IReadOnlyList<SweepTrialSummary> Trials)
{
    /// <summary>The file name the sweep writes in its output directory.</summary>
    public const string FileName = "sweep.json";

    /// <summary>True when trials are ranked by log-loss (smaller is better) rather than accuracy.</summary>
    public bool ByLogLoss => Metric.Equals("LogLoss", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads <c>sweep.json</c> (as <c>RobertaClassifierSweep.SaveResults</c> writes it): <c>metric</c>, <c>best_trial</c> and
    /// <c>trials</c> with <c>id</c>, <c>epochs</c>, <c>batch_size</c>, <c>learning_rate</c> and the validation
    /// <c>metrics</c> by ML.NET's names (<c>Accuracy</c>, <c>LogLoss</c>; flat <c>accuracy</c> / <c>log_loss</c> are read too).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not such a document.</exception>
    public static SweepSummary Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// Parses a sweep's JSON (what <c>SweepResult.ToJson()</c> returns, or a <c>sweep.json</c> file's text);
    /// <paramref name="source"/> names it in errors.
    /// </summary>
    /// <exception cref="InvalidDataException">The text is not such a document.</exception>
    public static SweepSummary Parse(string json, string source = FileName)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var trials = root.GetProperty("trials").EnumerateArray().Select(t => new SweepTrialSummary(
                t.GetProperty("id").GetInt32(), t.GetProperty("epochs").GetInt32(), t.GetProperty("batch_size").GetInt32(),
                t.GetProperty("learning_rate").GetDouble(), TrialMetric(t, "Accuracy", "accuracy"), TrialMetric(t, "LogLoss", "log_loss"))).ToList();
            string metric = root.TryGetProperty("metric", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "Accuracy";
            int best = root.TryGetProperty("best_trial", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt32() : 0;
            return new SweepSummary(metric, best, trials);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: not a sweep result ({e.Message}).", e);
        }
    }

    // The trial's validation metric: from its "metrics" object (ML.NET's name) or a flat property; NaN when absent or null.
    private static double TrialMetric(JsonElement trial, string mlNetName, string flatName) =>
        trial.TryGetProperty("metrics", out var metrics) && metrics.ValueKind == JsonValueKind.Object && metrics.TryGetProperty(mlNetName, out var v)
            ? (v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN)
            : Number(trial, flatName);

    private static double Number(JsonElement trial, string name) =>
        trial.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
}
