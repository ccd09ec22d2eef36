using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// A fine-tuned RoBERTa text classifier (what <see cref="RobertaClassifierEstimator"/> fits). <see cref="Transform"/> is
/// lazy and adds, computed in batches as a cursor reads: the predicted label (a value of the training label's type),
/// the class probabilities as a float vector (softmax, never raw logits; slot names are the classes), and for binary
/// tasks the positive class's probability. The positive class is the second in sorted order (1, "1" or true).
/// </summary>
public sealed partial class RobertaClassifierTransformer : ITransformer
{
    private readonly LabelMap _labels;
    private readonly ClassifierSettings _settings;
    private readonly ClassificationEncoder _encoder;
    private readonly Lock _gate = new();

    internal RobertaClassifierTransformer(BertModel model, BertTokenizer tokenizer, LabelMap labels, ClassifierSettings settings, IReadOnlyList<EpochMetrics> history)
    {
        Model = model;
        Tokenizer = tokenizer;
        _labels = labels;
        _settings = settings;
        TrainingHistory = history;
        _encoder = new ClassificationEncoder(tokenizer, settings.MaxSequenceLength, settings.LongTextStrategy, settings.Stride);
    }

    /// <summary>The network (encoder, pooler and classification head).</summary>
    public BertModel Model { get; }

    /// <summary>The tokenizer.</summary>
    public BertTokenizer Tokenizer { get; }

    /// <summary>Class names in class order (the slot names of the score vector; config.json's id2label).</summary>
    public IReadOnlyList<string> Classes => _labels.Names;

    /// <summary>The label-to-class mapping.</summary>
    internal LabelMap LabelMap => _labels;

    /// <summary>True for a binary classifier (it outputs a probability column).</summary>
    public bool IsBinary => _settings.IsBinary;

    /// <summary>The label column the model was trained on (used by evaluation).</summary>
    public string LabelColumnName => _settings.LabelColumnName;

    /// <summary>The first text column read by <see cref="Transform"/>.</summary>
    public string Sentence1ColumnName => _settings.Sentence1ColumnName;

    /// <summary>The second text column read by <see cref="Transform"/>, for sentence-pair models.</summary>
    public string? Sentence2ColumnName => _settings.Sentence2ColumnName;

    /// <summary>The output column of class probabilities.</summary>
    public string ScoreColumnName => _settings.ScoreColumnName;

    /// <summary>The output column of predicted labels.</summary>
    public string PredictedLabelColumnName => _settings.PredictedLabelColumnName;

    /// <summary>The output column of the positive-class probability (binary models), or null.</summary>
    public string? ProbabilityColumnName => _settings.ProbabilityColumnName;

    /// <summary>Validation metrics of each training epoch (empty without a validation set or after <see cref="Load"/>).</summary>
    public IReadOnlyList<EpochMetrics> TrainingHistory { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema);
        var b = new DataViewSchema.Builder().AddColumns(inputSchema);
        foreach (var (name, type, annotations) in OutputColumns()) b.AddColumn(name, type, annotations);
        return b.ToSchema();
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema);
        string[] inputs = _settings.Sentence2ColumnName is { } s2 ? [_settings.Sentence1ColumnName, s2] : [_settings.Sentence1ColumnName];
        return new MappedDataView(input, inputs, OutputColumns(), MapBatch, _settings.BatchSize);
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
        if (pairs is not null && pairs.Count != texts.Count) throw new ArgumentException($"{pairs.Count} pairs for {texts.Count} texts.", nameof(pairs));
        var probabilities = Probabilities(texts, pairs);
        return [.. probabilities.Select(p =>
        {
            int best = ArgMax(p);
            return new ClassifierPrediction(Plain(_labels.ValueOf(best)), _labels.Names[best], p, _labels.Names);
        })];
    }

    private static object Plain(object value) => value is ReadOnlyMemory<char> m ? m.ToString() : value;

    private float[][] Probabilities(IReadOnlyList<string> texts, IReadOnlyList<string?>? pairs)
    {
        var rows = new ClassificationExample[texts.Count][];
        // Tokenizing is thread-safe; the model's forward pass (which reuses its activations) is not.
        Parallel.For(0, texts.Count, i => rows[i] = _encoder.Encode(texts[i] ?? "", pairs?[i], -1));
        int pad = Tokenizer.Vocabulary.GetId(Tokenizer.Options.PaddingToken) ?? 0;
        lock (_gate) return ClassifierPredictor.Predict(Model, rows, _settings.BatchSize, pad);
    }

    private void MapBatch(IReadOnlyList<object?[]> inputs, IReadOnlyList<object?[]> outputs)
    {
        var texts = inputs.Select(r => r[0] is ReadOnlyMemory<char> m ? m.ToString() : "").ToArray();
        string?[]? pairs = _settings.Sentence2ColumnName is null ? null : [.. inputs.Select(r => r[1] is ReadOnlyMemory<char> m ? m.ToString() : "")];
        var probabilities = Probabilities(texts, pairs);
        for (int r = 0; r < outputs.Count; r++)
        {
            var p = probabilities[r];
            outputs[r][0] = _labels.ValueOf(ArgMax(p));
            outputs[r][1] = new VBuffer<float>(p.Length, p);
            if (IsBinary) outputs[r][2] = p[1];
        }
    }

    private static int ArgMax(float[] p)
    {
        int best = 0;
        for (int c = 1; c < p.Length; c++) if (p[c] > p[best]) best = c;
        return best;
    }

    private List<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations)> OutputColumns()
    {
        var columns = new List<(string, DataViewType, DataViewSchema.Annotations?)>
        {
            (_settings.PredictedLabelColumnName, _labels.Type, _labels.KeyValues is { } keyValues ? new DataViewSchema.Annotations(KeyValues: keyValues) : null),
            (_settings.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, _labels.Count), new DataViewSchema.Annotations(SlotNames: _labels.Names)),
        };
        if (_settings.ProbabilityColumnName is { } probability) columns.Add((probability, NumberDataViewType.Single, null));
        return columns;
    }

    private void CheckInput(DataViewSchema schema) =>
        ClassifierRows.CheckSchema(SchemaShape.Create(schema), _settings.Sentence1ColumnName, _settings.Sentence2ColumnName, label: null);
}
