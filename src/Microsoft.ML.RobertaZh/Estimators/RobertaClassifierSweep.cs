using System.Diagnostics;
using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Fine-tunes a classifier once per hyper-parameter setting (epochs × batch size × learning rate, by grid or random
/// search) and keeps the best by a validation metric, as UER-py's Chinese RoBERTa table was made. The data is read and
/// tokenized once and shared by all trials; each trial starts from the same starting point with the same seed. With
/// an output directory, the best model, a results table (sweep.txt) and JSON (sweep.json) are written there.
/// </summary>
public sealed class RobertaClassifierSweep
{
    /// <summary>
    /// A sweep of <paramref name="options"/> (the settings every trial shares; its epochs, batch size and learning rate
    /// are replaced by each trial's) over <paramref name="sweep"/>'s space.
    /// </summary>
    public RobertaClassifierSweep(RobertaClassifierOptions options, SweepOptions? sweep = null, bool binary = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Sweep = sweep ?? new SweepOptions();
        IsBinary = binary;
    }

    /// <summary>The settings shared by the trials.</summary>
    public RobertaClassifierOptions Options { get; }

    /// <summary>The search space and budget.</summary>
    public SweepOptions Sweep { get; }

    /// <summary>True when the trials are binary classifiers.</summary>
    public bool IsBinary { get; }

    /// <summary>Runs the trials on <paramref name="train"/>, selecting on <paramref name="validation"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing (named in the message) or a setting is invalid.</exception>
    public SweepResult Run(IDataView train, IDataView validation, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        Sweep.Validate();
        var data = ClassifierTrainingData.Prepare(Options with { ValidationSet = null }, IsBinary, train, validation);
        var plan = Sweep.Trials();
        if (Sweep.MaxTrials is int max) plan = plan.Take(max).ToList();

        var clock = Stopwatch.StartNew();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (Sweep.TimeBudget is { } limit) budget.CancelAfter(limit);
        var trials = new List<SweepTrial>();
        SweepTrial? best = null;
        RobertaClassifierTransformer? bestModel = null;
        foreach (var (epochs, batchSize, learningRate) in plan)
        {
            // The stopwatch, not only the timer, decides: a busy thread pool may run the timer late.
            if (budget.IsCancellationRequested || clock.Elapsed >= Sweep.TimeBudget) break;
            var trialClock = Stopwatch.StartNew();
            var starting = new SweepTrial(trials.Count + 1, epochs, batchSize, learningRate, [], 0);
            Sweep.TrialCallback?.Invoke(starting);
            var trialOptions = Options with { MaxEpochs = epochs, BatchSize = batchSize, LearningRate = learningRate, ValidationSet = null, OutputDirectory = null, MaxSteps = null };
            var model = RobertaClassifierEstimator.Train(data, trialOptions, IsBinary, budget.Token);
            var trial = starting with { History = model.TrainingHistory, Seconds = trialClock.Elapsed.TotalSeconds };
            trials.Add(trial);
            Sweep.TrialCallback?.Invoke(trial);
            if (trial.BestEpoch is not null && (best is null || trial.Score(Sweep.Metric) > best.Score(Sweep.Metric)))
            {
                best = trial;
                bestModel = model;
            }
        }
        if (best is null || bestModel is null)
            throw new InvalidOperationException("No trial finished an epoch within the budget.");
        var result = new SweepResult(trials, best, Sweep.Metric, bestModel);
        if (Sweep.OutputDirectory is { } dir)
        {
            bestModel.Save(dir);
            Tensors.AtomicFile.WriteAllText(Path.Combine(dir, "sweep.txt"), result.ToTable() + "\n");
            Tensors.AtomicFile.WriteAllText(Path.Combine(dir, "sweep.json"), result.ToJson() + "\n");
        }
        return result;
    }
}
