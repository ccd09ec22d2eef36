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

/// <summary>The validation metric a sweep selects by.</summary>
public enum SweepMetric
{
    /// <summary>Accuracy (higher is better). The default, as UER's run_classifier selects.</summary>
    Accuracy,

    /// <summary>Log-loss (lower is better).</summary>
    LogLoss,
}

/// <summary>
/// The search space and budget of a <see cref="RobertaClassifierSweep"/>. The default grid is the one UER-py used for its
/// Chinese RoBERTa table: epochs {3, 5, 8} × batch size {32, 64} × learning rate {3e-5, 1e-4, 3e-4}.
/// </summary>
public sealed record SweepOptions
{
    /// <summary>Epoch counts to try. Default {3, 5, 8}.</summary>
    public IReadOnlyList<int> Epochs { get; init; } = [3, 5, 8];

    /// <summary>Batch sizes to try. Default {32, 64}.</summary>
    public IReadOnlyList<int> BatchSizes { get; init; } = [32, 64];

    /// <summary>Learning rates to try (the range for random search). Default {3e-5, 1e-4, 3e-4}.</summary>
    public IReadOnlyList<float> LearningRates { get; init; } = [3e-5f, 1e-4f, 3e-4f];

    /// <summary>Grid or random search. Default grid.</summary>
    public SweepSearch Search { get; init; } = SweepSearch.Grid;

    /// <summary>Trials drawn by random search. Default 10.</summary>
    public int RandomTrials { get; init; } = 10;

    /// <summary>Run at most this many trials; null runs them all.</summary>
    public int? MaxTrials { get; init; }

    /// <summary>No trial starts after this much time, and a running trial stops (keeping its best epoch so far) when it runs out; null is no limit.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>The metric the best trial is chosen by (its best epoch's value). Default accuracy.</summary>
    public SweepMetric Metric { get; init; } = SweepMetric.Accuracy;

    /// <summary>Seed of random search. Default 7.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Where the best model (config.json, model.safetensors, vocab.txt), sweep.txt and sweep.json are written; null writes nothing.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Called when a trial starts (with no metrics yet) and when it ends.</summary>
    public Action<SweepTrial>? TrialCallback { get; init; }

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
            (Epochs[rng.Next(Epochs.Count)], BatchSizes[rng.Next(BatchSizes.Count)], (float)Math.Exp(lo + (hi - lo) * rng.NextDouble())))];
    }
}
