using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Segmentation;
using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Pretrains (or continues pretraining) a Chinese RoBERTa: the corpus is preprocessed into shards (cached), then a
/// masked-LM-only model is trained with dynamic whole-word masking by the shared <see cref="TrainingLoop"/>, with
/// checkpoints, held-out evaluation, metrics.jsonl and learning_curve.svg in the output directory. Re-running with the
/// same output directory resumes from the newest checkpoint. <see cref="Fit"/> returns the fitted model, also saved
/// to OUTPUT/model as a Hugging Face-compatible directory.
/// </summary>
public sealed class RobertaPretrainEstimator
{
    private readonly RobertaPretrainOptions _options;

    /// <summary>An estimator with the given settings.</summary>
    public RobertaPretrainEstimator(RobertaPretrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>The held-out metrics of the last evaluation of the last <see cref="Fit"/> (loss, mlm_accuracy, baseline_accuracy).</summary>
    public IReadOnlyDictionary<string, double>? LastEvaluation { get; private set; }

    /// <summary>What loading <see cref="RobertaPretrainOptions.InitialCheckpoint"/> matched (missing and unexpected tensors), after <see cref="Fit"/>.</summary>
    public CheckpointLoadReport? InitialCheckpointReport { get; private set; }

    /// <summary>Preprocesses, trains and saves; stops early (after a checkpoint) when <paramref name="cancellation"/> fires.</summary>
    public MaskedLanguageModel Fit(CancellationToken cancellation = default)
    {
        var o = _options;
        o.Validate();
        var tokenizer = BertTokenizer.Load(o.VocabularyPath);
        var segmenter = o.JiebaDictionaryPath is not null && o.JiebaHmmPath is not null ? JiebaSegmenter.Load(o.JiebaDictionaryPath, o.JiebaHmmPath) : null;
        var dataOptions = new PretrainingDataOptions
        {
            MaxSeqLength = o.MaxSeqLength, ShortSeqProbability = o.ShortSeqProbability, Format = o.Format, Masking = o.Masking,
            Seed = (ulong)o.Seed, HoldOutDocuments = o.HoldOutDocuments,
        };
        using var dataset = PretrainingDataset.Preprocess(o.CorpusPath, tokenizer, segmenter, dataOptions,
            Path.Combine(o.OutputDirectory, "data"), o.PreprocessProgress, cancellation);

        var model = CreateModel(tokenizer);
        if (model.Config.MaxPositionEmbeddings < o.MaxSeqLength)
            throw new ArgumentException($"MaxSeqLength {o.MaxSeqLength} exceeds the model's max_position_embeddings {model.Config.MaxPositionEmbeddings}.");
        var training = new TrainingOptions
        {
            TotalSteps = o.TotalSteps, GradientAccumulationSteps = o.GradientAccumulationSteps, LearningRate = o.LearningRate,
            WarmupSteps = o.WarmupSteps, WarmupProportion = o.WarmupProportion, MaxGradNorm = o.MaxGradNorm,
            Optimizer = new AdamWOptions { Epsilon = o.AdamEpsilon, WeightDecay = o.WeightDecay, Beta2 = o.AdamBeta2, BiasCorrection = o.AdamBiasCorrection },
            SaveEverySteps = o.SaveEverySteps, EvaluateEverySteps = o.EvaluateEverySteps, OutputDirectory = o.OutputDirectory, Seed = o.Seed,
        };
        var source = new MlmBatchSource(dataset, o.BatchSize, new MlmBatcherOptions { Seed = (ulong)o.Seed, Masking = o.Masking });
        var evaluator = dataset.HeldOut is { InstanceCount: > 0 } heldOut ? new HeldOutEvaluator(dataset, heldOut, o.BatchSize, (ulong)o.Seed) : null;
        var loop = new TrainingLoop(model, source, training)
        {
            Progress = o.Progress,
            Evaluate = evaluator is null ? null : m => LastEvaluation = evaluator.Evaluate(m),
            VocabularyPath = o.VocabularyPath,
        };
        loop.Run(cancellation);
        var fitted = new MaskedLanguageModel(model, tokenizer);
        if (!cancellation.IsCancellationRequested) fitted.Save(Path.Combine(o.OutputDirectory, "model"));
        return fitted;
    }

    private BertModel CreateModel(BertTokenizer tokenizer)
    {
        var o = _options;
        BertModel model;
        if (o.InitialCheckpoint is { } start)
        {
            var loaded = BertModel.Load(start, out var report, seed: o.Seed);
            bool pooler = loaded.Heads.Pooler;
            model = loaded.Heads is { MaskedLm: true, NumLabels: 0 } ? loaded : BertModel.Load(start, new BertHeads(pooler, MaskedLm: true), o.Seed);
            InitialCheckpointReport = report;
        }
        else
        {
            var config = o.ConfigPath is not null ? BertConfig.Load(o.ConfigPath) : BertConfig.FromPreset(o.Architecture);
            config.VocabSize = tokenizer.Vocabulary.Count;
            config.PadTokenId = tokenizer.Vocabulary.GetId(tokenizer.Options.PaddingToken) ?? 0;
            // BertForMaskedLM has no pooler; fine-tuning adds a fresh one, as Hugging Face does for UER's miniatures.
            model = BertModel.Create(config, new BertHeads(Pooler: false, MaskedLm: true), o.Seed);
        }
        if (model.Config.VocabSize != tokenizer.Vocabulary.Count)
            throw new ArgumentException($"The vocabulary has {tokenizer.Vocabulary.Count} tokens but the model's vocab_size is {model.Config.VocabSize}.");
        if (o.Dropout is float p)
        {
            model.Config.HiddenDropoutProb = p;
            model.Config.AttentionProbsDropoutProb = p;
        }
        return model;
    }
}
