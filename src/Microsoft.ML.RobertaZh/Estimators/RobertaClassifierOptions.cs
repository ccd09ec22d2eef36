using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Settings of the RoBERTa text classifier, named as ML.NET's text-classification trainer names them, plus what
/// UER-py's run_classifier offers. Defaults are UER's (learning rate 2e-5, 3 epochs, batch 32, warm-up 10%, sequence
/// length 128, decay 0.01, AdamW ε 1e-6, seed 7), except AdamW's bias correction, which is on as in torch.
/// </summary>
public sealed record RobertaClassifierOptions
{
    /// <summary>The label column (strings or numbers). Default "Label".</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>The (first) text column. Default "Sentence1".</summary>
    public string Sentence1ColumnName { get; init; } = "Sentence1";

    /// <summary>The second text column of sentence-pair tasks; null for single-text classification.</summary>
    public string? Sentence2ColumnName { get; init; }

    /// <summary>Output column of class probabilities (a vector; for binary tasks the positive class's probability is also in <see cref="ProbabilityColumnName"/>). Default "Score".</summary>
    public string ScoreColumnName { get; init; } = "Score";

    /// <summary>Output column of the predicted label (the original label value). Default "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; init; } = "PredictedLabel";

    /// <summary>Output column of the positive-class probability for binary tasks. Default "Probability".</summary>
    public string ProbabilityColumnName { get; init; } = "Probability";

    /// <summary>Examples per batch. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Passes over the training data (ignored when <see cref="MaxSteps"/> is set). Default 3.</summary>
    public int MaxEpochs { get; init; } = 3;

    /// <summary>Updates to run instead of whole epochs.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Peak learning rate. Default 2e-5.</summary>
    public float LearningRate { get; init; } = 2e-5f;

    /// <summary>Warm-up as a fraction of the updates (when <see cref="WarmupSteps"/> is null). Default 0.1.</summary>
    public double WarmupRatio { get; init; } = 0.1;

    /// <summary>Warm-up updates; overrides <see cref="WarmupRatio"/>.</summary>
    public long? WarmupSteps { get; init; }

    /// <summary>AdamW decoupled weight decay (not on biases and LayerNorm weights). Default 0.01.</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>AdamW ε. Default 1e-6.</summary>
    public float AdamEpsilon { get; init; } = 1e-6f;

    /// <summary>
    /// AdamW bias correction, as torch.optim.AdamW and Hugging Face's Trainer do. Default true: without it the first
    /// updates are about 3× larger, which UER's small learning rates tolerate but larger ones (training from scratch) do not.
    /// Turn it off to match UER-py's or Google BERT's optimizer exactly.
    /// </summary>
    public bool AdamBiasCorrection { get; init; } = true;

    /// <summary>Clip gradients to this global norm; 0 turns clipping off. Default 1.0.</summary>
    public double ClipNorm { get; init; } = 1.0;

    /// <summary>Dropout everywhere (0 turns it off); null keeps the model config's.</summary>
    public float? Dropout { get; init; }

    /// <summary>Tokens per input including special tokens. Default 128.</summary>
    public int MaxSequenceLength { get; init; } = 128;

    /// <summary>Truncation or sliding windows for long texts. Default truncation.</summary>
    public LongTextStrategy LongTextStrategy { get; init; } = LongTextStrategy.Truncate;

    /// <summary>Tokens between window starts with <see cref="LongTextStrategy.SlidingWindow"/>. Default 64.</summary>
    public int Stride { get; init; } = 64;

    /// <summary>Batches per update. Default 1.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Shuffle the training data every epoch. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of initialization, shuffling and dropout. Default 7 (UER's).</summary>
    public int Seed { get; init; } = 7;

    /// <summary>Stop after this many epochs without validation improvement (the best epoch's weights are kept); null never stops early.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>The starting point: a model directory (Hugging Face, UER or ours) with vocab.txt.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The starting point: a model fitted by RobertaPretrainEstimator (instead of <see cref="ModelPath"/>).</summary>
    public MaskedLanguageModel? PretrainedModel { get; init; }

    /// <summary>Data evaluated after every epoch (accuracy and log-loss, logged, plotted and passed to <see cref="MetricsCallback"/>); enables early stopping and keeping the best epoch's weights.</summary>
    public IDataView? ValidationSet { get; init; }

    /// <summary>Called after every epoch's validation with its metrics (as ML.NET's ImageClassificationTrainer's <c>MetricsCallback</c>).</summary>
    public Action<EpochMetrics>? MetricsCallback { get; init; }

    /// <summary>Checkpoints, metrics.jsonl and learning_curve.svg go here; null keeps nothing on disk.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Training progress (per logged update and per epoch's validation).</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting when a value is invalid.</summary>
    public void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "must be positive.");
        if (MaxEpochs <= 0) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), MaxEpochs, "must be positive.");
        if (MaxSteps is <= 0) throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, "must be positive.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be positive.");
        if (MaxSequenceLength < 4) throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, "must be at least 4.");
        if (LongTextStrategy == LongTextStrategy.SlidingWindow && (Stride <= 0 || Stride > MaxSequenceLength - 2)) throw new ArgumentOutOfRangeException(nameof(Stride), Stride, "must be in [1, MaxSequenceLength - 2].");
        if (Dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "must be in [0, 1).");
        if (EarlyStoppingPatience is <= 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "must be positive.");
        if (ModelPath is null && PretrainedModel is null) throw new ArgumentException("Set ModelPath (a model directory) or PretrainedModel (a fitted masked language model) as the starting point.");
    }
}
