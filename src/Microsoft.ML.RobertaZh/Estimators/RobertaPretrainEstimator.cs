using System.Text;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Hosting;
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
/// same output directory (and seed) resumes from the newest checkpoint. The corpus is a file
/// (<see cref="RobertaPretrainOptions.CorpusPath"/>, <see cref="Fit()"/>) or an ML.NET text column whose rows are the
/// documents (<see cref="Fit(IDataView)"/>, streamed to OUTPUT/corpus.txt). The result is an encoder transformer that
/// adds a sentence embedding, fills masks and starts classifiers; it is also saved to OUTPUT/model. Training and the
/// fitted transformer run on <see cref="RobertaPretrainOptions.Engine"/> and <see cref="RobertaPretrainOptions.Device"/>
/// (or the MLContext's <c>GpuDeviceId</c>/<c>FallbackToCpu</c> when no device is set), checked before preprocessing.
/// </summary>
public sealed class RobertaPretrainEstimator : IEstimator<RobertaEncoderTransformer>
{
    private readonly RobertaPretrainOptions _options;
    private readonly IHostEnvironment _env;
    private readonly IHost _host;

    /// <summary>An estimator on <paramref name="env"/> (an <see cref="MLContext"/>) with the given settings.</summary>
    public RobertaPretrainEstimator(IHostEnvironment env, RobertaPretrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _env = env;
        _host = env.Register("RobertaPretrain");
        _options = options;
    }

    /// <summary>The held-out metrics of the last evaluation of the last fit (loss, mlm_accuracy, baseline_accuracy).</summary>
    public IReadOnlyDictionary<string, double>? LastEvaluation { get; private set; }

    /// <summary>What loading <see cref="RobertaPretrainOptions.InitialCheckpoint"/> matched (missing and unexpected tensors), after a fit.</summary>
    public CheckpointLoadReport? InitialCheckpointReport { get; private set; }

    /// <summary>The input shape plus the embedding column (a float vector).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (inputSchema.Find(_options.TextColumnName) is not { } text)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Could not find text column '{_options.TextColumnName}'. Available columns: {string.Join(", ", inputSchema.Select(c => c.Name))}.");
        if (text.Kind != SchemaShape.Column.VectorKind.Scalar || text.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for text column '{_options.TextColumnName}': expected String.");
        var columns = inputSchema.Where(c => c.Name != _options.OutputColumnName).ToList();
        columns.Add(Interop.TryColumn(_options.OutputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false)
            ?? Interop.FallbackColumn(inputSchema, _options.TextColumnName, _options.OutputColumnName, NumberDataViewType.Single, vector: true));
        return new SchemaShape(columns);
    }

    /// <summary>
    /// Pretrains on the documents of <paramref name="input"/>'s text column (one row per document; streamed through a
    /// cursor into OUTPUT/corpus.txt, which is kept unchanged when the data is, so a re-run resumes).
    /// </summary>
    /// <exception cref="OperationCanceledException">The options' token fired or <c>MLContext.CancelExecution</c> was called (after a checkpoint).</exception>
    public RobertaEncoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = input.Schema.GetColumnOrNull(_options.TextColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"Could not find text column '{_options.TextColumnName}'. Available columns: {string.Join(", ", input.Schema.Select(c => c.Name))}.");
        if (column.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(input), $"Schema mismatch for text column '{_options.TextColumnName}': expected String, got {column.Type}.");
        CheckEngine(_options); // before a row is read
        Directory.CreateDirectory(_options.OutputDirectory);
        string corpus = Path.Combine(_options.OutputDirectory, "corpus.txt");
        WriteCorpus(input, column, corpus);
        return Fit(_options with { CorpusPath = corpus, Format = CorpusFormat.DocumentPerLine });
    }

    /// <summary>Pretrains on <see cref="RobertaPretrainOptions.CorpusPath"/> (preprocessing it first, or reusing its shards).</summary>
    /// <exception cref="OperationCanceledException">The options' token fired or <c>MLContext.CancelExecution</c> was called (after a checkpoint).</exception>
    public RobertaEncoderTransformer Fit() => Fit(_options);

    private RobertaEncoderTransformer Fit(RobertaPretrainOptions o)
    {
        o.Validate();
        var engineOptions = CheckEngine(o);
        using var ch = _host.Start("Fit");
        int seed = o.Seed ?? _host.Rand.Next();
        var cancellation = o.CancellationToken;
        var tokenizer = BertTokenizer.Load(o.VocabularyPath);
        var segmenter = o.JiebaDictionaryPath is not null && o.JiebaHmmPath is not null ? JiebaSegmenter.Load(o.JiebaDictionaryPath, o.JiebaHmmPath) : null;
        var dataOptions = new PretrainingDataOptions
        {
            MaxSeqLength = o.MaxSeqLength, ShortSeqProbability = o.ShortSeqProbability, Format = o.Format, Masking = o.Masking,
            Seed = (ulong)seed, HoldOutDocuments = o.HoldOutDocuments,
        };
        using var dataset = PretrainingDataset.Preprocess(o.CorpusPath!, tokenizer, segmenter, dataOptions,
            Path.Combine(o.OutputDirectory, "data"), o.PreprocessProgress, cancellation);
        ch.Info(MessageSensitivity.None, $"pretraining data: {dataset.InstanceCount} instances from {dataset.DocumentCount} documents{(dataset.Reused ? " (reused)" : "")}");

        var model = CreateModel(o, tokenizer, seed);
        if (model.Config.MaxPositionEmbeddings < o.MaxSeqLength)
            throw new ArgumentException($"MaxSeqLength {o.MaxSeqLength} exceeds the model's max_position_embeddings {model.Config.MaxPositionEmbeddings}.");
        var training = new TrainingOptions
        {
            TotalSteps = o.TotalSteps, GradientAccumulationSteps = o.GradientAccumulationSteps, LearningRate = o.LearningRate,
            WarmupSteps = o.WarmupSteps, WarmupProportion = o.WarmupProportion, MaxGradNorm = o.MaxGradNorm,
            Optimizer = new AdamWOptions { Epsilon = o.AdamEpsilon, WeightDecay = o.WeightDecay, Beta2 = o.AdamBeta2, BiasCorrection = o.AdamBiasCorrection },
            SaveEverySteps = o.SaveEverySteps, EvaluateEverySteps = o.EvaluateEverySteps, OutputDirectory = o.OutputDirectory, Seed = seed,
        };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var source = new CancelAwareBatchSource(new MlmBatchSource(dataset, o.BatchSize, new MlmBatcherOptions { Seed = (ulong)seed, Masking = o.Masking }), _host, cancel);
        var evaluator = dataset.HeldOut is { InstanceCount: > 0 } heldOut ? new HeldOutEvaluator(dataset, heldOut, o.BatchSize, (ulong)seed) : null;
        // Engines read the dropout settings when they are created (CreateModel has applied the override).
        using var engine = BertEngines.CreateTraining(model, engineOptions);
        ch.Info(MessageSensitivity.None, $"pretraining on the {engine.Kind} engine ({engine.Device})");
        var loop = new TrainingLoop(engine, source, training)
        {
            Progress = new ChannelProgress(ch, o.Progress),
            EvaluateEngine = evaluator is null ? null : e => LastEvaluation = evaluator.Evaluate(e),
            VocabularyPath = o.VocabularyPath,
        };
        loop.Run(cancel.Token);
        engine.CopyParametersTo(model);
        if (cancel.IsCancellationRequested)
            throw new OperationCanceledException($"Pretraining was cancelled at step {loop.State.Step}; running it again with the same OutputDirectory and seed resumes from its last checkpoint.");
        var fitted = new RobertaEncoderTransformer(model, tokenizer, new EncoderSettings
        {
            InputColumnName = o.TextColumnName, OutputColumnName = o.OutputColumnName, Pooling = o.Pooling, MaxSequenceLength = o.MaxSeqLength, BatchSize = o.BatchSize,
        }, engineOptions);
        fitted.Save(Path.Combine(o.OutputDirectory, "model"));
        return fitted;
    }

    /// <summary>The engine options of <paramref name="o"/>, checked (assembly, native runtime, device) without reading any data.</summary>
    private EngineOptions CheckEngine(RobertaPretrainOptions o)
    {
        var engineOptions = EngineSelection.Resolve(_env, o.Engine, o.Device, o.FallbackToCpu, o.InferencePrecision, o.PackPaddedSequences);
        EngineSelection.CheckTraining(engineOptions);
        return engineOptions;
    }

    private static void WriteCorpus(IDataView input, DataViewSchema.Column column, string path)
    {
        // Streamed: one document per line (line breaks inside a document become spaces); an unchanged corpus keeps its file.
        string temp = path + ".tmp";
        using (var cursor = input.GetRowCursor([column]))
        using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false)))
        {
            var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                get(ref text);
                string line = text.ToString().Replace('\r', ' ').Replace('\n', ' ').Trim();
                if (line.Length > 0) writer.Write(line + "\n");
            }
        }

        if (File.Exists(path) && FilesEqual(path, temp)) File.Delete(temp);
        else File.Move(temp, path, overwrite: true);
    }

    private static bool FilesEqual(string a, string b)
    {
        if (new FileInfo(a).Length != new FileInfo(b).Length) return false;
        return File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
    }

    private BertModel CreateModel(RobertaPretrainOptions o, BertTokenizer tokenizer, int seed)
    {
        BertModel model;
        if (o.InitialCheckpoint is { } start)
        {
            var loaded = BertModel.Load(start, out var report, seed: seed);
            bool pooler = loaded.Heads.Pooler;
            model = loaded.Heads is { MaskedLm: true, NumLabels: 0 } ? loaded : BertModel.Load(start, new BertHeads(pooler, MaskedLm: true), seed);
            InitialCheckpointReport = report;
        }
        else
        {
            var config = o.ConfigPath is not null ? BertConfig.Load(o.ConfigPath) : BertConfig.FromPreset(o.Architecture);
            config.VocabSize = tokenizer.Vocabulary.Count;
            config.PadTokenId = tokenizer.Vocabulary.GetId(tokenizer.Options.PaddingToken) ?? 0;
            // BertForMaskedLM has no pooler; fine-tuning adds a fresh one, as Hugging Face does for UER's miniatures.
            model = BertModel.Create(config, new BertHeads(Pooler: false, MaskedLm: true), seed);
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
