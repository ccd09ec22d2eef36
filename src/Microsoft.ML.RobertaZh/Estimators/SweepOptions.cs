namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>How a sweep chooses its trials.</summary>
public enum SweepSearch
{
    /// <summary>Every combination of the listed values, in order (epochs, then batch size, then learning rate).</summary>
    Grid,

    /// <summary>
    /// <see cref="SweepOptions.RandomTrials"/> random draws: epochs and batch size from the lists, the learning rate
    /// log-uniform between the smallest and largest listed.
    /// </summary>
    Random,
}

/// <summary>The ML.NET validation metric a sweep selects by (named as ML.NET's metric objects name it).</summary>
public enum SweepMetric
{
    /// <summary>Binary Accuracy, or multiclass MicroAccuracy (higher is better). The default, as UER's run_classifier selects.</summary>
    Accuracy,

    /// <summary>Binary AreaUnderRocCurve (higher is better).</summary>
    AreaUnderRocCurve,

    /// <summary>Binary F1Score (higher is better).</summary>
    F1Score,

    /// <summary>Multiclass MacroAccuracy (higher is better).</summary>
    MacroAccuracy,

    /// <summary>LogLoss, binary (calibrated) or multiclass (lower is better).</summary>
    LogLoss,
}

/// <summary>One trial's hyper-parameters, handed to the trial factory.</summary>
/// <param name="TrialId">1-based trial number.</param>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="CancellationToken">Fires at the sweep's time budget: put it in the trial's options so a running trial stops.</param>
public sealed record SweepTrialParameters(int TrialId, int Epochs, int BatchSize, float LearningRate, CancellationToken CancellationToken);

/// <summary>
/// The search space, budget and selection of a <see cref="RobertaClassifierSweep"/>. The default grid is the one UER-py
/// used for its Chinese RoBERTa table: epochs {3, 5, 8} × batch size {32, 64} × learning rate {3e-5, 1e-4, 3e-4}.
/// </summary>
public sealed class SweepOptions
{
    /// <summary>Epoch counts to try. Default {3, 5, 8}.</summary>
    public IReadOnlyList<int> Epochs { get; set; } = [3, 5, 8];

    /// <summary>Batch sizes to try. Default {32, 64}.</summary>
    public IReadOnlyList<int> BatchSizes { get; set; } = [32, 64];

    /// <summary>Learning rates to try (the range for random search). Default {3e-5, 1e-4, 3e-4}.</summary>
    public IReadOnlyList<float> LearningRates { get; set; } = [3e-5f, 1e-4f, 3e-4f];

    /// <summary>Grid or random search. Default grid.</summary>
    public SweepSearch Search { get; set; } = SweepSearch.Grid;

    /// <summary>Trials drawn by random search. Default 10.</summary>
    public int RandomTrials { get; set; } = 10;

    /// <summary>Run at most this many trials; null runs them all.</summary>
    public int? MaxTrials { get; set; }

    /// <summary>No trial starts after this much time, and the running one is cancelled (and left out); null is no limit.</summary>
    public TimeSpan? TimeBudget { get; set; }

    /// <summary>The metric the best trial is chosen by. Default accuracy.</summary>
    public SweepMetric Metric { get; set; } = SweepMetric.Accuracy;

    /// <summary>The label column the evaluators read. Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The score column the evaluators read (a Single means binary, a vector multiclass). Default "Score".</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The binary probability column (when the scored data has it, calibrated metrics such as LogLoss are computed). Default "Probability".</summary>
    public string ProbabilityColumnName { get; set; } = "Probability";

    /// <summary>Seed of random search. Default 7.</summary>
    public int Seed { get; set; } = 7;

    /// <summary>Called when a trial starts (with no metrics yet) and when it ends.</summary>
    public Action<SweepTrial>? TrialCallback { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting when a value is invalid.</summary>
    public void Validate()
    {
        if (Epochs is not { Count: > 0 } || Epochs.Any(e => e <= 0)) throw new ArgumentOutOfRangeException(nameof(Epochs), "must list positive epoch counts.");
        if (BatchSizes is not { Count: > 0 } || BatchSizes.Any(b => b <= 0)) throw new ArgumentOutOfRangeException(nameof(BatchSizes), "must list positive batch sizes.");
        if (LearningRates is not { Count: > 0 } || LearningRates.Any(r => !(r > 0))) throw new ArgumentOutOfRangeException(nameof(LearningRates), "must list positive learning rates.");
        if (RandomTrials <= 0) throw new ArgumentOutOfRangeException(nameof(RandomTrials), RandomTrials, "must be positive.");
        if (MaxTrials is <= 0) throw new ArgumentOutOfRangeException(nameof(MaxTrials), MaxTrials, "must be positive.");
        if (TimeBudget is { } t && t <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TimeBudget), TimeBudget, "must be positive.");
    }

    /// <summary>The (epochs, batch size, learning rate) of every trial, in order, before the trial budget.</summary>
    internal List<(int Epochs, int BatchSize, float LearningRate)> Trials()
    {
        if (Search == SweepSearch.Grid)
            return [.. Epochs.SelectMany(e => BatchSizes.SelectMany(b => LearningRates.Select(r => (e, b, r))))];
        var rng = new Random(Seed);
        double lo = Math.Log(LearningRates.Min()), hi = Math.Log(LearningRates.Max());
        return [.. Enumerable.Range(0, RandomTrials).Select(_ =>
            (Epochs[rng.Next(Epochs.Count)], BatchSizes[rng.Next(BatchSizes.Count)], (float)Math.Exp(lo + ((hi - lo) * rng.NextDouble()))))];
    }
}
