using System.Diagnostics;
using Microsoft.ML.RobertaZh.Tensors;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// A hyper-parameter sweep on an <see cref="MLContext"/>, shaped as AutoML's sweepable estimators are (AutoML is not
/// served here): a trial factory <c>(MLContext, SweepTrialParameters) → IEstimator&lt;ITransformer&gt;</c> builds each
/// trial's pipeline from epochs × batch size × learning rate (grid or random search); each is fitted on the training
/// data, its predictions on the validation data are evaluated by ML.NET's own evaluators, and the best by the chosen
/// metric (Accuracy, AreaUnderRocCurve, F1Score, MacroAccuracy; LogLoss lower is better) is kept.
/// </summary>
public sealed class RobertaClassifierSweep
{
    private readonly MLContext _mlContext;
    private readonly Func<MLContext, SweepTrialParameters, IEstimator<ITransformer>> _factory;

    /// <summary>A sweep of the pipelines <paramref name="trialFactory"/> builds, over <paramref name="options"/>' space.</summary>
    public RobertaClassifierSweep(MLContext mlContext, Func<MLContext, SweepTrialParameters, IEstimator<ITransformer>> trialFactory, SweepOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(trialFactory);
        _mlContext = mlContext;
        _factory = trialFactory;
        Options = options ?? new SweepOptions();
    }

    /// <summary>The search space, budget and selection.</summary>
    public SweepOptions Options { get; }

    /// <summary>
    /// A factory of RoBERTa classifiers from <paramref name="options"/> (each trial gets a copy with its epochs, batch size,
    /// learning rate and the budget's token), appended to <paramref name="preprocessing"/> and followed by
    /// <paramref name="postprocessing"/> when given (for example MapValueToKey and MapKeyToValue).
    /// </summary>
    public static Func<MLContext, SweepTrialParameters, IEstimator<ITransformer>> ClassifierFactory(RobertaClassifierOptions options, RobertaClassifierTask task,
        IEstimator<ITransformer>? preprocessing = null, IEstimator<ITransformer>? postprocessing = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (ml, p) =>
        {
            var trial = options.Clone();
            trial.MaxEpochs = p.Epochs;
            trial.BatchSize = p.BatchSize;
            trial.LearningRate = p.LearningRate;
            trial.MaxSteps = null;
            trial.OutputDirectory = null;
            trial.CancellationToken = p.CancellationToken;
            IEstimator<ITransformer> classifier = task == RobertaClassifierTask.Binary
                ? ml.BinaryClassification.Trainers.RobertaClassifier(trial)
                : ml.MulticlassClassification.Trainers.RobertaClassifier(trial);
            var chain = preprocessing is null ? classifier : preprocessing.Append(classifier);
            return postprocessing is null ? chain : chain.Append(postprocessing);
        };
    }

    /// <summary>Runs the trials: fit on <paramref name="train"/>, evaluate on <paramref name="validation"/>.</summary>
    /// <exception cref="InvalidOperationException">No trial finished within the budget.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired.</exception>
    public SweepResult Run(IDataView train, IDataView validation, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        Options.Validate();
        var plan = Options.Trials();
        if (Options.MaxTrials is int max) plan = [.. plan.Take(max)];
        var clock = Stopwatch.StartNew();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (Options.TimeBudget is { } limit) budget.CancelAfter(limit);
        var trials = new List<SweepTrial>();
        SweepTrial? best = null;
        ITransformer? bestModel = null;
        foreach (var (epochs, batchSize, learningRate) in plan)
        {
            cancellation.ThrowIfCancellationRequested();
            // The stopwatch, not only the timer, decides: a busy thread pool may run the timer late.
            if (budget.IsCancellationRequested || clock.Elapsed >= Options.TimeBudget) break;
            var parameters = new SweepTrialParameters(trials.Count + 1, epochs, batchSize, learningRate, budget.Token);
            Options.TrialCallback?.Invoke(new SweepTrial(parameters, new Dictionary<string, double>(), 0, Completed: false));
            var trialClock = Stopwatch.StartNew();
            ITransformer model;
            try
            {
                model = _factory(_mlContext, parameters).Fit(train);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                var stopped = new SweepTrial(parameters, new Dictionary<string, double>(), trialClock.Elapsed.TotalSeconds, Completed: false);
                trials.Add(stopped);
                Options.TrialCallback?.Invoke(stopped);
                break;
            }

            var trial = new SweepTrial(parameters, Evaluate(model.Transform(validation)), trialClock.Elapsed.TotalSeconds, Completed: true);
            if (double.IsNaN(trial.Value(Options.Metric)))
                throw new InvalidOperationException($"The metric {Options.Metric} is not measured for this task (measured: {string.Join(", ", trial.Metrics.Keys)}).");
            trials.Add(trial);
            Options.TrialCallback?.Invoke(trial);
            if (best is null || trial.Score(Options.Metric) > best.Score(Options.Metric))
            {
                (best, bestModel) = (trial, model);
            }
            else
            {
                (model as IDisposable)?.Dispose();
            }
        }

        if (best is null || bestModel is null) throw new InvalidOperationException("No trial finished within the budget.");
        return new SweepResult(trials, best, Options.Metric, bestModel);
    }

    /// <summary>Writes the best model (SaveWithRoberta), the table (sweep.txt) and JSON (sweep.json) into <paramref name="directory"/>.</summary>
    public void SaveResults(SweepResult result, DataViewSchema inputSchema, string directory)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        _mlContext.Model.SaveWithRoberta(result.BestModel, inputSchema, Path.Combine(directory, "model.zip"));
        AtomicFile.WriteAllText(Path.Combine(directory, "sweep.txt"), result.ToTable() + "\n");
        AtomicFile.WriteAllText(Path.Combine(directory, "sweep.json"), result.ToJson() + "\n");
    }

    private Dictionary<string, double> Evaluate(IDataView scored)
    {
        var o = Options;
        var score = scored.Schema.GetColumnOrNull(o.ScoreColumnName)
            ?? throw new InvalidOperationException($"The trial's output has no score column '{o.ScoreColumnName}'.");
        if (score.Type is VectorDataViewType)
        {
            var m = _mlContext.MulticlassClassification.Evaluate(scored, o.LabelColumnName, o.ScoreColumnName);
            return new() { ["Accuracy"] = m.MicroAccuracy, ["MacroAccuracy"] = m.MacroAccuracy, ["LogLoss"] = m.LogLoss };
        }

        if (scored.Schema.GetColumnOrNull(o.ProbabilityColumnName) is not null)
        {
            var c = _mlContext.BinaryClassification.Evaluate(scored, o.LabelColumnName, o.ScoreColumnName, o.ProbabilityColumnName);
            return new() { ["Accuracy"] = c.Accuracy, ["AreaUnderRocCurve"] = c.AreaUnderRocCurve, ["F1Score"] = c.F1Score, ["LogLoss"] = c.LogLoss };
        }

        var b = _mlContext.BinaryClassification.EvaluateNonCalibrated(scored, o.LabelColumnName, o.ScoreColumnName);
        return new() { ["Accuracy"] = b.Accuracy, ["AreaUnderRocCurve"] = b.AreaUnderRocCurve, ["F1Score"] = b.F1Score };
    }
}
