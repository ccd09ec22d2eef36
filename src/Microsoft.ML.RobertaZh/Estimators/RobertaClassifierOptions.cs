using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Settings of the RoBERTa text classifier, named as ML.NET's TorchSharp text-classification trainer names them, plus
/// what UER-py's run_classifier offers. Defaults (in <see cref="Defaults"/>) are UER's (learning rate 2e-5, 3 epochs,
/// batch 32, warm-up 10%, sequence length 128, decay 0.01, AdamW ε 1e-6), except AdamW's bias correction, which is on
/// as in torch. Set either <see cref="ModelPath"/> or <see cref="PretrainedModel"/> as the starting point.
/// </summary>
public sealed class RobertaClassifierOptions
{
    /// <summary>The documented default values.</summary>
    public static class Defaults
    {
        /// <summary>Default label column.</summary>
        public const string LabelColumnName = "Label";

        /// <summary>Default first text column.</summary>
        public const string Sentence1ColumnName = "Sentence1";

        /// <summary>Default score column.</summary>
        public const string ScoreColumnName = "Score";

        /// <summary>Default predicted-label column.</summary>
        public const string PredictedLabelColumnName = "PredictedLabel";

        /// <summary>Default probability column (binary).</summary>
        public const string ProbabilityColumnName = "Probability";

        /// <summary>Default examples per batch.</summary>
        public const int BatchSize = 32;

        /// <summary>Default passes over the training data.</summary>
        public const int MaxEpochs = 3;

        /// <summary>Default peak learning rate (UER's).</summary>
        public const float LearningRate = 2e-5f;

        /// <summary>Default warm-up fraction.</summary>
        public const double WarmupRatio = 0.1;

        /// <summary>Default AdamW weight decay.</summary>
        public const float WeightDecay = 0.01f;

        /// <summary>Default AdamW ε.</summary>
        public const float AdamEpsilon = 1e-6f;

        /// <summary>Default gradient-clipping norm.</summary>
        public const double ClipNorm = 1.0;

        /// <summary>Default tokens per input, special tokens included.</summary>
        public const int MaxSequenceLength = 128;

        /// <summary>Default stride of sliding windows.</summary>
        public const int Stride = 64;
    }

    /// <summary>The label column: Boolean for binary classification, a key (from <c>MapValueToKey</c>) for multiclass. Default "Label".</summary>
    public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

    /// <summary>The (first) text column. Default "Sentence1".</summary>
    public string Sentence1ColumnName { get; set; } = Defaults.Sentence1ColumnName;

    /// <summary>The second text column of sentence-pair tasks (LCQMC, OCNLI); null for single texts.</summary>
    public string? Sentence2ColumnName { get; set; }

    /// <summary>Output score: binary, the margin logit₁ − logit₀ (Single); multiclass, the class probabilities (softmax vector). Default "Score".</summary>
    public string ScoreColumnName { get; set; } = Defaults.ScoreColumnName;

    /// <summary>Output predicted label: Boolean (binary) or a key with the label's key values (multiclass). Default "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; set; } = Defaults.PredictedLabelColumnName;

    /// <summary>Output probability of the positive class (binary only): sigmoid of the score. Default "Probability".</summary>
    public string ProbabilityColumnName { get; set; } = Defaults.ProbabilityColumnName;

    /// <summary>Examples per batch (training and scoring). Default 32.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>Passes over the training data (ignored when <see cref="MaxSteps"/> is set). Default 3.</summary>
    public int MaxEpochs { get; set; } = Defaults.MaxEpochs;

    /// <summary>Updates to run instead of whole epochs; null runs <see cref="MaxEpochs"/>.</summary>
    public long? MaxSteps { get; set; }

    /// <summary>Peak learning rate. Default 2e-5.</summary>
    public float LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>Warm-up as a fraction of the updates (when <see cref="WarmupSteps"/> is null). Default 0.1.</summary>
    public double WarmupRatio { get; set; } = Defaults.WarmupRatio;

    /// <summary>Warm-up updates; overrides <see cref="WarmupRatio"/>.</summary>
    public long? WarmupSteps { get; set; }

    /// <summary>AdamW decoupled weight decay (not on biases and LayerNorm weights). Default 0.01.</summary>
    public float WeightDecay { get; set; } = Defaults.WeightDecay;

    /// <summary>AdamW ε. Default 1e-6.</summary>
    public float AdamEpsilon { get; set; } = Defaults.AdamEpsilon;

    /// <summary>
    /// AdamW bias correction, as torch.optim.AdamW does. Default true: without it the first updates are about 3× larger,
    /// which UER's small learning rates tolerate but larger ones (training from scratch) do not.
    /// </summary>
    public bool AdamBiasCorrection { get; set; } = true;

    /// <summary>Clip gradients to this global norm; 0 turns clipping off. Default 1.0.</summary>
    public double ClipNorm { get; set; } = Defaults.ClipNorm;

    /// <summary>Dropout everywhere (0 turns it off); null keeps the model config's.</summary>
    public float? Dropout { get; set; }

    /// <summary>Tokens per input including special tokens. Default 128.</summary>
    public int MaxSequenceLength { get; set; } = Defaults.MaxSequenceLength;

    /// <summary>Truncation or sliding windows for long texts. Default truncation.</summary>
    public LongTextStrategy LongTextStrategy { get; set; } = LongTextStrategy.Truncate;

    /// <summary>Tokens between window starts with <see cref="LongTextStrategy.SlidingWindow"/>. Default 64.</summary>
    public int Stride { get; set; } = Defaults.Stride;

    /// <summary>Batches per update. Default 1.</summary>
    public int GradientAccumulationSteps { get; set; } = 1;

    /// <summary>Shuffle the training data every epoch. Default true.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Seed of the new head, shuffling and dropout; null (the default) derives it from the MLContext's seed.</summary>
    public int? Seed { get; set; }

    /// <summary>Stop after this many epochs without validation improvement (the best epoch's weights are kept); null never stops early.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>The starting point: a model directory (Hugging Face, UER-py or ours) with vocab.txt.</summary>
    public string? ModelPath { get; set; }

    /// <summary>The starting point: an encoder fitted by <see cref="RobertaPretrainEstimator"/> or loaded with <see cref="RobertaEncoderTransformer.Load(string, RobertaInferenceOptions?)"/> (instead of <see cref="ModelPath"/>).</summary>
    public RobertaEncoderTransformer? PretrainedModel { get; set; }

    /// <summary>Data evaluated after every epoch (accuracy and log-loss, logged and passed to <see cref="MetricsCallback"/>); enables early stopping and keeping the best epoch's weights.</summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>Called after every epoch's validation with its metrics (as ML.NET's ImageClassificationTrainer's <c>MetricsCallback</c>).</summary>
    public Action<EpochMetrics>? MetricsCallback { get; set; }

    /// <summary>Checkpoints, metrics.jsonl and learning_curve.svg go here (and a re-run resumes from them); null keeps nothing on disk.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>Training progress after every logged update and every epoch's validation (also logged to <c>MLContext.Log</c>).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Stops training between batches (after a checkpoint when <see cref="OutputDirectory"/> is set); <c>Fit</c> then throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// The engine that trains the classifier and runs the fitted transformer's forward passes: <see cref="EngineKind.Managed"/>
    /// (the default: no native dependency) or <see cref="EngineKind.TorchSharp"/> (libtorch; needs the
    /// Microsoft.ML.RobertaZh.TorchSharp assembly). <see cref="EngineKind.OnnxRuntime"/> cannot train: <c>Fit</c> refuses it
    /// before reading data (load the saved model with <see cref="RobertaInferenceOptions"/> to score on ONNX Runtime).
    /// </summary>
    public EngineKind Engine { get; set; } = EngineKind.Managed;

    /// <summary>
    /// <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (CUDA needs the TorchSharp engine with a CUDA build of libtorch). Null (the
    /// default) follows the MLContext: <c>GpuDeviceId</c> = N gives <c>cuda:N</c>, with <c>MLContext.FallbackToCpu</c>
    /// deciding whether an unusable GPU falls back to the CPU or fails at once; no <c>GpuDeviceId</c> gives the CPU. A device
    /// set here wins over the MLContext's settings.
    /// </summary>
    public string? Device { get; set; }

    /// <summary>
    /// When the CUDA device cannot be used, train and score on the CPU instead of failing. Null (the default) takes
    /// <c>MLContext.FallbackToCpu</c> when the device comes from <c>MLContext.GpuDeviceId</c>, else false.
    /// </summary>
    public bool? FallbackToCpu { get; set; }

    /// <summary>
    /// Arithmetic of the fitted transformer's forward passes (not of training or per-epoch validation, which run in full
    /// precision): <see cref="InferencePrecision.FullPrecision"/> (the default) or the managed engine's opt-in
    /// <see cref="InferencePrecision.DynamicInt8"/> for serving. Saved with the model.
    /// </summary>
    public InferencePrecision InferencePrecision { get; set; } = InferencePrecision.FullPrecision;

    /// <summary>
    /// The fitted transformer skips padded positions (managed engine). Default true: each row's scores are then bit for
    /// bit those of scoring it alone (as a PredictionEngine does), whatever rows share its batch — the padded computation
    /// moves them by ~1e-7 with the batch's longest row — and batches of mixed lengths run several times faster. Set
    /// false for the padded computation (within 1e-5 relative of the packed one). Saved with the model.
    /// </summary>
    public bool PackPaddedSequences { get; set; } = true;

    /// <summary>A shallow copy (sweeps change a trial's epochs, batch size and learning rate on it).</summary>
    public RobertaClassifierOptions Clone() => (RobertaClassifierOptions)MemberwiseClone();

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
        if (GradientAccumulationSteps <= 0) throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), GradientAccumulationSteps, "must be positive.");
        if (!Enum.IsDefined(Engine)) throw new ArgumentOutOfRangeException(nameof(Engine), Engine, "must be Managed, TorchSharp or OnnxRuntime.");
        if (!Enum.IsDefined(InferencePrecision)) throw new ArgumentOutOfRangeException(nameof(InferencePrecision), InferencePrecision, "must be FullPrecision or DynamicInt8.");
        if (Device is not null) new EngineOptions { Device = Device }.Validate();
        if (ModelPath is null && PretrainedModel is null) throw new ArgumentException("Set ModelPath (a model directory) or PretrainedModel (a fitted RobertaEncoderTransformer) as the starting point.");
    }
}

/// <summary>Which catalog a <see cref="RobertaClassifierEstimator"/> belongs to, and so its output columns.</summary>
public enum RobertaClassifierTask
{
    /// <summary>Boolean label; Score (margin), Probability, PredictedLabel (Boolean).</summary>
    Binary,

    /// <summary>Key label; Score (softmax vector with SlotNames), PredictedLabel (key with KeyValues).</summary>
    Multiclass,
}
