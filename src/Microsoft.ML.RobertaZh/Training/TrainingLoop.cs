using System.Diagnostics;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Training;

/// <summary>
/// The one training loop, shared by pretraining and fine-tuning: accumulate gradients over batches, clip, step AdamW on
/// the linear warm-up/decay schedule, log metrics, evaluate, and checkpoint atomically so that a stopped run resumes
/// to exactly the weights of a straight-through run (same machine and thread count).
/// </summary>
public sealed class TrainingLoop
{
    private readonly BertModel _model;
    private readonly ITrainingBatchSource _data;
    private readonly TrainingOptions _options;
    private readonly MetricsLog? _log;

    /// <summary>The optimizer (its moments are saved in checkpoints).</summary>
    public AdamW Optimizer { get; }

    /// <summary>Evaluation run every <see cref="TrainingOptions.EvaluateEverySteps"/> updates and at the end; returns named metrics.</summary>
    public Func<BertModel, IReadOnlyDictionary<string, double>>? Evaluate { get; init; }

    /// <summary>The metric whose maximum marks the best step (for example "accuracy"); null tracks none.</summary>
    public string? SelectionMetric { get; init; }

    /// <summary>Receives a report after every logged update and every evaluation.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Copied as vocab.txt into every checkpoint, when set.</summary>
    public string? VocabularyPath { get; init; }

    /// <summary>State of the run (updated as it goes).</summary>
    public TrainerState State { get; private set; }

    /// <summary>Prepares a run; with an output directory holding checkpoints it resumes from the newest one.</summary>
    public TrainingLoop(BertModel model, ITrainingBatchSource data, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        _data = data;
        _options = options;
        Optimizer = new AdamW(model.Layout, options.Optimizer);
        model.DropoutSeed = (ulong)options.Seed;
        State = new TrainerState { DropoutSeed = model.DropoutSeed, DataPosition = data.SavePosition(), TotalSteps = options.TotalSteps };
        if (options.OutputDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            if (TrainingCheckpoint.TryRestoreLatest(dir, model, Optimizer) is { } restored)
            {
                State = restored with { TotalSteps = options.TotalSteps };
                data.RestorePosition(restored.DataPosition);
                Resumed = true;
            }
            _log = new MetricsLog(dir, keepUpToStep: State.Step);
        }
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
            _model.ZeroGradients();
            long stepTokens = 0;
            for (int micro = 0; micro < o.GradientAccumulationSteps; micro++)
            {
                var batch = _data.NextBatch();
                var loss = _model.ForwardBackward(batch, 1f / o.GradientAccumulationSteps);
                int tokens = Tokens(batch);
                stepTokens += tokens;
                window.Add(loss, tokens);
            }
            double norm = o.MaxGradNorm > 0
                ? GradientClipping.ClipByGlobalNorm(_model.Gradients, o.MaxGradNorm)
                : GradientClipping.GlobalNorm(_model.Gradients);
            float lr = schedule.At(step);
            Optimizer.Update(_model.Parameters, _model.Gradients, lr);
            step++;
            State = State with
            {
                Step = step, TrainingPasses = _model.TrainingPasses, DataPosition = _data.SavePosition(),
                TokensSeen = State.TokensSeen + stepTokens, ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds,
            };

            bool last = step == o.TotalSteps;
            bool evaluate = Evaluate is not null && (last || (o.EvaluateEverySteps > 0 && step % o.EvaluateEverySteps == 0));
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
        var metrics = Evaluate!(_model);
        if (SelectionMetric is { } key && metrics.TryGetValue(key, out double value) && (State.BestMetric is null || value > State.BestMetric))
            State = State with { BestMetric = value, BestStep = step };
        _log?.WriteEvaluation(step, State.ElapsedSeconds, metrics);
        return metrics;
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
        TrainingCheckpoint.Save(dir, _model, Optimizer, State, _options.KeepCheckpoints, VocabularyPath);
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
