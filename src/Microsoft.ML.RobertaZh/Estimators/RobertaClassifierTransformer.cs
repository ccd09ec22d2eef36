using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Scoring;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// A fine-tuned RoBERTa text classifier, what <see cref="RobertaClassifierEstimator"/> fits. <see cref="Transform"/> is
/// lazy and batched (one forward pass per <see cref="RobertaClassifierOptions.BatchSize"/> rows) and appends the columns
/// ML.NET's evaluators read. Binary: <c>Score</c> (Single, the margin logit₁ − logit₀), <c>Probability</c> (Single, its
/// sigmoid), <c>PredictedLabel</c> (Boolean, Score &gt; 0). Multiclass: <c>Score</c> (the class probabilities, with the
/// class names as SlotNames) and <c>PredictedLabel</c> (a key with the label's KeyValues, so <c>MapKeyToValue</c> gives
/// the class back). It is a row-to-row mapper (so <c>CreatePredictionEngine</c> works) and disposable: it owns the
/// inference engine its forward passes run on (<see cref="Engine"/>, <see cref="Device"/>, <see cref="InferencePrecision"/>,
/// <see cref="PackPaddedSequences"/>), which <see cref="Dispose"/> frees (as does disposing a <c>TransformerChain</c> holding it).
/// ML.NET cannot save it inside its own model zip: use <see cref="Save"/>/<see cref="Load"/> or
/// <c>mlContext.Model.SaveWithRoberta</c>/<c>LoadWithRoberta</c>.
/// </summary>
public sealed partial class RobertaClassifierTransformer : ITransformer, IDisposable
{
    private readonly ClassLabels _labels;
    private readonly ClassifierSettings _settings;
    private readonly ClassifierScorer _scorer;
    private readonly ScoringEngine _engine;
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>A transformer over <paramref name="model"/> whose passes run on an engine made with <paramref name="engine"/> (default: managed, CPU with the settings' precision and packing; given, its precision and packing replace the settings').</summary>
    /// <exception cref="EngineUnavailableException">The engine, its native runtime or the device is not available here.</exception>
    internal RobertaClassifierTransformer(IHostEnvironment? env, BertModel model, BertTokenizer tokenizer, ClassLabels labels, ClassifierSettings settings,
        IReadOnlyList<EpochMetrics> history, EngineOptions? engine = null)
    {
        engine ??= EngineOptions.Default with { InferencePrecision = settings.InferencePrecision, PackPaddedSequences = settings.PackPaddedSequences };
        Host = env?.Register(nameof(RobertaClassifierTransformer));
        Model = model;
        Tokenizer = tokenizer;
        _labels = labels;
        _settings = settings with { InferencePrecision = engine.InferencePrecision, PackPaddedSequences = engine.PackPaddedSequences };
        TrainingHistory = history;
        _engine = new ScoringEngine(model, engine, nameof(RobertaClassifierTransformer));
        _scorer = new ClassifierScorer(_engine, tokenizer, _settings, labels);
    }

    internal IHost? Host { get; }

    /// <summary>
    /// The network (encoder, pooler and classification head), whose weights <see cref="Save"/> writes. The managed engine
    /// scores with these weights (in-place changes are seen; with <see cref="Model.InferencePrecision.DynamicInt8"/> call
    /// <see cref="BertModel.InvalidateInferenceCaches"/> after a targeted change); other engines hold a copy made when the
    /// transformer was created.
    /// </summary>
    public BertModel Model { get; }

    /// <summary>The engine the forward passes run on.</summary>
    public EngineKind Engine => _engine.Kind;

    /// <summary>The device the forward passes run on (<c>cpu</c> or <c>cuda:N</c>; <c>cpu</c> after a fallback).</summary>
    public string Device => _engine.Device;

    /// <summary>The arithmetic of the forward passes (saved with the model).</summary>
    public InferencePrecision InferencePrecision => _settings.InferencePrecision;

    /// <summary>Whether the forward passes skip padded positions (saved with the model).</summary>
    public bool PackPaddedSequences => _settings.PackPaddedSequences;

    /// <summary>The tokenizer.</summary>
    public BertTokenizer Tokenizer { get; }

    /// <summary>Class names in class order: binary "0" (false) and "1" (true); multiclass the label's key values (config.json's id2label).</summary>
    public IReadOnlyList<string> Classes => _labels.Names;

    /// <summary>Binary or multiclass.</summary>
    public RobertaClassifierTask Task => _settings.Task;

    /// <summary>True for a binary classifier.</summary>
    public bool IsBinary => _labels.IsBinary;

    /// <summary>The label column the model was trained on.</summary>
    public string LabelColumnName => _settings.LabelColumnName;

    /// <summary>The first text column read by <see cref="Transform"/>.</summary>
    public string Sentence1ColumnName => _settings.Sentence1ColumnName;

    /// <summary>The second text column read by <see cref="Transform"/>, for sentence-pair models.</summary>
    public string? Sentence2ColumnName => _settings.Sentence2ColumnName;

    /// <summary>The output score column.</summary>
    public string ScoreColumnName => _settings.ScoreColumnName;

    /// <summary>The output predicted-label column.</summary>
    public string PredictedLabelColumnName => _settings.PredictedLabelColumnName;

    /// <summary>The output probability column (binary models), or null.</summary>
    public string? ProbabilityColumnName => _settings.ProbabilityColumnName;

    /// <summary>Validation metrics of each training epoch (empty without a validation set or after <see cref="Load"/>).</summary>
    public IReadOnlyList<EpochMetrics> TrainingHistory { get; }

    /// <summary>True: one row maps to one row (PredictionEngine works).</summary>
    public bool IsRowToRowMapper => true;

    internal ClassLabels Labels => _labels;

    internal ClassifierSettings Settings => _settings;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema);
        return ClassifierSchema.Append(inputSchema, _scorer.Outputs);
    }

    /// <summary>A lazy view of <paramref name="input"/> with the output columns; rows are scored in batches as a cursor reads them.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ScoredDataView(input, GetOutputSchema(input.Schema), _scorer);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ScoringRowMapper(inputSchema, GetOutputSchema(inputSchema), _scorer);
    }

    /// <summary>The prediction for one text, or one sentence pair.</summary>
    public ClassifierPrediction Predict(string text, string? pair = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Predict([text], pair is null ? null : [pair])[0];
    }

    /// <summary>Predictions for many texts (with their pairs for pair models), computed in batches.</summary>
    public IReadOnlyList<ClassifierPrediction> Predict(IReadOnlyList<string> texts, IReadOnlyList<string?>? pairs = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (pairs is not null && pairs.Count != texts.Count) throw new ArgumentException($"{pairs.Count} pairs for {texts.Count} texts.", nameof(pairs));
        var scores = _scorer.Score([.. texts.Select((t, i) => (t, pairs?[i]))]);
        return [.. scores.Select(s =>
        {
            var p = s.AsSpan(0, _labels.Count).ToArray();
            int best = _labels.IsBinary ? (s[2] > 0 ? 1 : 0) : ClassifierScorer.ArgMax(p, p.Length);
            return new ClassifierPrediction(_labels.Names[best], p, _labels.Names);
        })];
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => throw PersistenceMessages.NativeSaveNotSupported(nameof(RobertaClassifierTransformer));

    /// <summary>Frees the inference engine (after a pass in progress); the transformer cannot score afterwards.</summary>
    public void Dispose()
    {
        _disposed = true;
        _engine.Dispose();
        GC.SuppressFinalize(this);
    }

    private void CheckInput(DataViewSchema schema) =>
        ClassifierSchema.Check(schema, _settings.Sentence1ColumnName, _settings.Sentence2ColumnName, label: null, _settings.Task);
}
