using System.Diagnostics;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Training;

/// <summary>
/// The one training loop, shared by pretraining and fine-tuning, on any training engine: accumulate gradients over
/// batches, clip, step AdamW on the linear warm-up/decay schedule, log metrics, evaluate, and checkpoint atomically so
/// that a stopped run resumes to exactly the weights of a straight-through run (same engine, machine and thread count),
/// or continues on another engine from the same weights and moments.
/// </summary>
public sealed class TrainingLoop
{
    private readonly ITrainingBatchSource _data;
    private readonly TrainingOptions _options;
    private readonly MetricsLog? _log;
    private BertModel? _evaluationCopy;

    /// <summary>The engine being trained.</summary>
    public IBertTrainingEngine Engine { get; }

    /// <summary>The managed engine's optimizer (its moments are saved in checkpoints).</summary>
    /// <exception cref="InvalidOperationException">The loop runs on another engine: use <see cref="IBertTrainingEngine.ExportOptimizerState"/>.</exception>
    public AdamW Optimizer => (Engine as ManagedEngine)?.Optimizer
        ?? throw new InvalidOperationException($"The {Engine.Kind} engine keeps its own optimizer; read it with Engine.ExportOptimizerState().");

    /// <summary>
    /// Evaluation run every <see cref="TrainingOptions.EvaluateEverySteps"/> updates and at the end; returns named metrics.
    /// On the managed engine it receives the model being trained; on others, a managed copy of the current weights.
    /// </summary>
    public Func<BertModel, IReadOnlyDictionary<string, double>>? Evaluate { get; init; }

    /// <summary>Evaluation on the engine itself (instead of <see cref="Evaluate"/>): runs at the same times, returns named metrics.</summary>
    public Func<IBertTrainingEngine, IReadOnlyDictionary<string, double>>? EvaluateEngine { get; init; }

    /// <summary>The metric whose maximum marks the best step (for example "accuracy"); null tracks none.</summary>
    public string? SelectionMetric { get; init; }

    /// <summary>Receives a report after every logged update and every evaluation.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Copied as vocab.txt into every checkpoint, when set.</summary>
    public string? VocabularyPath { get; init; }

    /// <summary>State of the run (updated as it goes).</summary>
    public TrainerState State { get; private set; }

    /// <summary>Prepares a run of the managed engine on <paramref name="model"/> (trained in place); with an output directory holding checkpoints it resumes from the newest one.</summary>
    public TrainingLoop(BertModel model, ITrainingBatchSource data, TrainingOptions options)
        : this(ManagedFor(model, options), data, options)
    {
    }

    /// <summary>
    /// Prepares a run on <paramref name="engine"/>; with an output directory holding checkpoints (written by any engine) it
    /// resumes from the newest one.
    /// </summary>
    public TrainingLoop(IBertTrainingEngine engine, ITrainingBatchSource data, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Engine = engine;
        _data = data;
        _options = options;
        if (engine is ManagedEngine managed) managed.EnsureOptimizer(options.Optimizer);
        engine.DropoutSeed = (ulong)options.Seed;
        State = new TrainerState { DropoutSeed = engine.DropoutSeed, DataPosition = data.SavePosition(), TotalSteps = options.TotalSteps };
        if (options.OutputDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            if (TrainingCheckpoint.TryRestoreLatest(dir, engine) is { } restored)
            {
                State = restored with { TotalSteps = options.TotalSteps };
                data.RestorePosition(restored.DataPosition);
                Resumed = true;
            }
            _log = new MetricsLog(dir, keepUpToStep: State.Step);
        }
    }

    private static ManagedEngine ManagedFor(BertModel model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new ManagedEngine(model);
    }

    /// <summary>Whether the constructor resumed from a checkpoint.</summary>
    public bool Resumed { get; }

    /// <summary>Runs until <see cref="TrainingOptions.TotalSteps"/> updates are done or <paramref name="cancellation"/> fires (then checkpoints and returns).</summary>
    public TrainerState Run(CancellationToken cancellation = default)
    {
        var o = _options;
        var schedule = o.Schedule();
        var clock = Stopwatch.StartNew();
        double elapsedBefore = State.ElapsedSeconds;
        var window = new Window();
        long step = State.Step;
        while (step < o.TotalSteps && !cancellation.IsCancellationRequested)
        {
            Engine.ZeroGradients();
            long stepTokens = 0;
            for (int micro = 0; micro < o.GradientAccumulationSteps; micro++)
            {
                var batch = _data.NextBatch();
                var loss = Engine.ForwardBackward(batch, 1f / o.GradientAccumulationSteps);
                int tokens = Tokens(batch);
                stepTokens += tokens;
                window.Add(loss, tokens);
            }
            double norm = Engine.ClipGradients(o.MaxGradNorm);
            float lr = schedule.At(step);
            Engine.OptimizerStep(lr, o.Optimizer);
            step++;
            State = State with
            {
                Step = step, TrainingPasses = Engine.TrainingPasses, DataPosition = _data.SavePosition(),
                TokensSeen = State.TokensSeen + stepTokens, ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds,
            };

            bool last = step == o.TotalSteps;
            bool evaluate = (Evaluate is not null || EvaluateEngine is not null) && (last || (o.EvaluateEverySteps > 0 && step % o.EvaluateEverySteps == 0));
            if (step % o.LogEverySteps == 0 || last || evaluate)
            {
                // Rates are taken before the evaluation so that its time does not count as training time.
                var progress = Snapshot(window, step, lr, norm);
                Report(evaluate ? progress with { Evaluation = RunEvaluation(step) } : progress);
                window.Reset();
            }
            if (o.OutputDirectory is { } dir && (last || (o.SaveEverySteps > 0 && step % o.SaveEverySteps == 0)))
                Checkpoint(dir);
        }
        if (cancellation.IsCancellationRequested && o.OutputDirectory is { } outDir && step > 0)
            Checkpoint(outDir);
        _log?.Flush();
        return State;
    }

    private IReadOnlyDictionary<string, double> RunEvaluation(long step)
    {
        var metrics = EvaluateEngine is { } onEngine ? onEngine(Engine) : Evaluate!(ModelForEvaluation());
        if (SelectionMetric is { } key && metrics.TryGetValue(key, out double value) && (State.BestMetric is null || value > State.BestMetric))
            State = State with { BestMetric = value, BestStep = step };
        _log?.WriteEvaluation(step, State.ElapsedSeconds, metrics);
        return metrics;
    }

    private BertModel ModelForEvaluation()
    {
        if (Engine is ManagedEngine managed) return managed.Model;
        _evaluationCopy ??= new BertModel(Engine.Layout, new float[Engine.Layout.Count]);
        Engine.ExportParameters(_evaluationCopy.Parameters);
        return _evaluationCopy;
    }

    private TrainingProgress Snapshot(Window window, long step, float lr, double norm)
    {
        double rate = window.Seconds > 0 ? window.Tokens / window.Seconds : 0;
        double perStep = State.ElapsedSeconds / Math.Max(1, step);
        return new TrainingProgress
        {
            Step = step, TotalSteps = _options.TotalSteps, Epoch = _data.Epoch, Loss = window.MeanLoss, MaskedLmAccuracy = window.MlmAccuracy,
            LearningRate = lr, GradientNorm = norm, TokensPerSecond = rate, Elapsed = TimeSpan.FromSeconds(State.ElapsedSeconds),
            Remaining = TimeSpan.FromSeconds(perStep * (_options.TotalSteps - step)),
        };
    }

    private void Report(TrainingProgress progress)
    {
        _log?.WriteTraining(progress);
        Progress?.Report(progress);
    }

    private void Checkpoint(string dir)
    {
        TrainingCheckpoint.Save(dir, Engine, State, _options.KeepCheckpoints, VocabularyPath);
        _log?.Flush();
    }

    private static int Tokens(BertBatch batch)
    {
        int n = 0;
        foreach (int m in batch.AttentionMask) n += m;
        return n;
    }

    /// <summary>Running sums between two reports.</summary>
    private sealed class Window
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private double _loss;
        private int _batches, _predicted, _correct;
        public long Tokens { get; private set; }
        public double Seconds => _clock.Elapsed.TotalSeconds;
        public double MeanLoss => _batches == 0 ? double.NaN : _loss / _batches;
        public double MlmAccuracy => _predicted == 0 ? double.NaN : (double)_correct / _predicted;

        public void Add(BertLoss loss, int tokens)
        {
            _loss += loss.Total;
            _batches++;
            _predicted += loss.MaskedLmPredictions;
            _correct += loss.MaskedLmCorrect;
            Tokens += tokens;
        }

        public void Reset()
        {
            _loss = 0; _batches = 0; _predicted = 0; _correct = 0; Tokens = 0;
            _clock.Restart();
        }
    }
}
