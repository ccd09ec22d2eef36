using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Settings of <see cref="RobertaPretrainEstimator"/>. Defaults follow UER-py's Chinese RoBERTa recipe (learning rate
/// 1e-4, warm-up 10%, AdamW without bias correction, ε 1e-6, decay 0.01, sequence length 128, whole-word masking of 15%,
/// dynamic masks).
/// </summary>
public sealed record RobertaPretrainOptions
{
    /// <summary>
    /// The corpus: one document per line (UER) or one sentence per line with blank lines between documents (Google BERT).
    /// Needed by <see cref="RobertaPretrainEstimator.Fit()"/>; <see cref="RobertaPretrainEstimator.Fit(IDataView)"/> reads
    /// the documents from <see cref="TextColumnName"/> instead.
    /// </summary>
    public string? CorpusPath { get; init; }

    /// <summary>The text column whose rows are the documents, when fitting from a data view; also the encoder transformer's input. Default "Text".</summary>
    public string TextColumnName { get; init; } = "Text";

    /// <summary>The embedding column the fitted encoder transformer adds. Default "Features".</summary>
    public string OutputColumnName { get; init; } = "Features";

    /// <summary>The fitted encoder transformer's pooling. Default [CLS].</summary>
    public EmbeddingPooling Pooling { get; init; } = EmbeddingPooling.Cls;

    /// <summary>The WordPiece vocabulary (vocab.txt); a tokenizer_config.json beside it is honoured.</summary>
    public required string VocabularyPath { get; init; }

    /// <summary>Where the preprocessed data, checkpoints, metrics, learning curve and final model go. Re-running with the same directory resumes.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Architecture preset (<see cref="Model.BertConfig.FromPreset"/>) used when neither <see cref="ConfigPath"/> nor <see cref="InitialCheckpoint"/> is set. Default "tiny".</summary>
    public string Architecture { get; init; } = "tiny";

    /// <summary>A config.json (Hugging Face or UER keys) describing the architecture.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>A model directory to start from (continued or domain pretraining, or a second stage at a longer length).</summary>
    public string? InitialCheckpoint { get; init; }

    /// <summary>Tokens per instance including [CLS] and [SEP]. Default 128 (stage 1); 512 for a second stage.</summary>
    public int MaxSeqLength { get; init; } = 128;

    /// <summary>Instances per batch. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Batches per update; the effective batch is <see cref="BatchSize"/> × this (roberta_zh used 8k). Default 1.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Updates to run. Default 1000.</summary>
    public long TotalSteps { get; init; } = 1000;

    /// <summary>Peak learning rate. Default 1e-4.</summary>
    public float LearningRate { get; init; } = 1e-4f;

    /// <summary>Warm-up as a fraction of <see cref="TotalSteps"/> (when <see cref="WarmupSteps"/> is null). Default 0.1.</summary>
    public double WarmupProportion { get; init; } = 0.1;

    /// <summary>Warm-up updates; overrides <see cref="WarmupProportion"/>.</summary>
    public long? WarmupSteps { get; init; }

    /// <summary>AdamW decoupled weight decay (not on biases and LayerNorm weights). Default 0.01.</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>AdamW ε. Default 1e-6.</summary>
    public float AdamEpsilon { get; init; } = 1e-6f;

    /// <summary>AdamW β2. Default 0.999 (roberta_zh used 0.98).</summary>
    public float AdamBeta2 { get; init; } = 0.999f;

    /// <summary>AdamW bias correction; UER-py and Google BERT do without. Default false.</summary>
    public bool AdamBiasCorrection { get; init; }

    /// <summary>Clip gradients to this global norm; 0 turns clipping off (UER's pretraining does not clip). Default 1.0.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Dropout on hidden states and attention probabilities; null keeps the config's (0.1).</summary>
    public float? Dropout { get; init; }

    /// <summary>Masking settings (strategy, probability, cap, dynamic or static).</summary>
    public MaskingOptions Masking { get; init; } = new();

    /// <summary>Probability of a shorter target length for an instance. Default 0.1.</summary>
    public double ShortSeqProbability { get; init; } = 0.1;

    /// <summary>The corpus layout; Auto detects it.</summary>
    public CorpusFormat Format { get; init; } = CorpusFormat.Auto;

    /// <summary>jieba's dictionary (dict.txt), needed by whole-word masking.</summary>
    public string? JiebaDictionaryPath { get; init; }

    /// <summary>jieba's HMM model (JSON), needed by whole-word masking.</summary>
    public string? JiebaHmmPath { get; init; }

    /// <summary>Documents kept out of training for held-out evaluation. Default 0.</summary>
    public int HoldOutDocuments { get; init; }

    /// <summary>Evaluate on the held-out documents every this many updates (and at the end). Default 0: only at the end.</summary>
    public long EvaluateEverySteps { get; init; }

    /// <summary>Write a checkpoint every this many updates (and at the end). Default 500.</summary>
    public long SaveEverySteps { get; init; } = 500;

    /// <summary>Seed of initialization, data order, masks and dropout; null (the default) derives it from the MLContext's seed. Set it for an exact resume.</summary>
    public int? Seed { get; init; }

    /// <summary>
    /// The engine that pretrains and runs the fitted encoder transformer: <see cref="EngineKind.Managed"/> (the default) or
    /// <see cref="EngineKind.TorchSharp"/> (needs the Microsoft.ML.RobertaZh.TorchSharp assembly). Checkpoints are
    /// engine-neutral: a run started on one engine resumes on the other. <see cref="EngineKind.OnnxRuntime"/> cannot train.
    /// </summary>
    public EngineKind Engine { get; init; } = EngineKind.Managed;

    /// <summary>
    /// <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (CUDA needs the TorchSharp engine with a CUDA build of libtorch); null (the
    /// default) follows MLContext's <c>GpuDeviceId</c> and <c>FallbackToCpu</c>, else the CPU. A device set here wins.
    /// </summary>
    public string? Device { get; init; }

    /// <summary>Run on the CPU when the CUDA device cannot be used; null (the default) takes MLContext's <c>FallbackToCpu</c> when the device comes from MLContext, else false.</summary>
    public bool? FallbackToCpu { get; init; }

    /// <summary>Arithmetic of the fitted encoder transformer's passes (not of training): full precision (the default) or the managed engine's dynamic int8. Saved with the model.</summary>
    public InferencePrecision InferencePrecision { get; init; } = InferencePrecision.FullPrecision;

    /// <summary>
    /// The fitted encoder transformer skips padded positions (managed engine). Default true: each text's embedding is bit
    /// for bit that of embedding it alone, whatever its batch, and faster; false gives the padded computation (within 1e-5
    /// relative). Saved with the model.
    /// </summary>
    public bool PackPaddedSequences { get; init; } = true;

    /// <summary>Stops training between batches, after a checkpoint; <c>Fit</c> then throws <see cref="OperationCanceledException"/> and a re-run resumes.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Training progress reports (step, loss, MLM accuracy, learning rate, tokens/s, ETA).</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Preprocessing progress reports.</summary>
    public IProgress<PreprocessProgress>? PreprocessProgress { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting when a value is invalid.</summary>
    public void Validate()
    {
        if (CorpusPath is null) throw new ArgumentException("Set CorpusPath (a corpus file), or fit from a data view with a text column.");
        if (!File.Exists(CorpusPath)) throw new FileNotFoundException($"Corpus not found: {CorpusPath}", CorpusPath);
        if (!File.Exists(VocabularyPath)) throw new FileNotFoundException($"Vocabulary not found: {VocabularyPath}", VocabularyPath);
        if (ConfigPath is not null && !File.Exists(ConfigPath)) throw new FileNotFoundException($"Config not found: {ConfigPath}", ConfigPath);
        if (InitialCheckpoint is not null && !Directory.Exists(InitialCheckpoint)) throw new DirectoryNotFoundException($"Initial checkpoint directory not found: {InitialCheckpoint}");
        if (MaxSeqLength < 8) throw new ArgumentOutOfRangeException(nameof(MaxSeqLength), MaxSeqLength, "must be at least 8.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "must be positive.");
        if (Dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "must be in [0, 1).");
        if (HoldOutDocuments < 0) throw new ArgumentOutOfRangeException(nameof(HoldOutDocuments), HoldOutDocuments, "must be >= 0.");
        if (!Enum.IsDefined(Engine)) throw new ArgumentOutOfRangeException(nameof(Engine), Engine, "must be Managed, TorchSharp or OnnxRuntime.");
        if (!Enum.IsDefined(InferencePrecision)) throw new ArgumentOutOfRangeException(nameof(InferencePrecision), InferencePrecision, "must be FullPrecision or DynamicInt8.");
        if (Device is not null) new EngineOptions { Device = Device }.Validate();
        if (Masking.Strategy == MaskingStrategy.WholeWord && (JiebaDictionaryPath is null || JiebaHmmPath is null))
            throw new ArgumentException("Whole-word masking needs jieba's dictionary and HMM model (JiebaDictionaryPath, JiebaHmmPath); or choose token masking.");
    }
}
