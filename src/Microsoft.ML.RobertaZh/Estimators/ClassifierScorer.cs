using Microsoft.ML.RobertaZh.Scoring;
using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Scores batches for <see cref="RobertaClassifierTransformer"/>: tokenizes (in parallel), runs the forward passes on the
/// transformer's engine (one call at a time: engines reuse their buffers), and serves ML.NET's getters: binary Score
/// (margin), Probability (its sigmoid), PredictedLabel (margin &gt; 0); multiclass Score (softmax vector) and
/// PredictedLabel (argmax + 1 as a key).
/// </summary>
internal sealed class ClassifierScorer : IBatchScorer
{
    private readonly ScoringEngine _engine;
    private readonly BertTokenizer _tokenizer;
    private readonly ClassificationEncoder _encoder;
    private readonly ClassifierSettings _settings;
    private readonly ClassLabels _labels;

    public ClassifierScorer(ScoringEngine engine, BertTokenizer tokenizer, ClassifierSettings settings, ClassLabels labels)
    {
        _engine = engine;
        _tokenizer = tokenizer;
        _settings = settings;
        _labels = labels;
        _encoder = new ClassificationEncoder(tokenizer, settings.MaxSequenceLength, settings.LongTextStrategy, settings.Stride);
        InputColumnNames = settings.Sentence2ColumnName is { } s2 ? [settings.Sentence1ColumnName, s2] : [settings.Sentence1ColumnName];
        Outputs = ClassifierSchema.Outputs(settings, labels);
    }

    public int BatchSize => _settings.BatchSize;

    public IReadOnlyList<string> InputColumnNames { get; }

    public IReadOnlyList<OutputColumn> Outputs { get; }

    /// <summary>Probabilities per row, plus the margin for binary classifiers.</summary>
    public float[][] Score(IReadOnlyList<(string Text, string? Pair)> rows)
    {
        var examples = new ClassificationExample[rows.Count][];
        Parallel.For(0, rows.Count, i => examples[i] = _encoder.Encode(rows[i].Text ?? "", _settings.Sentence2ColumnName is null ? null : rows[i].Pair ?? "", -1));
        int pad = _tokenizer.Vocabulary.GetId(_tokenizer.Options.PaddingToken) ?? 0;
        return _engine.Run(e => ClassifierPredictor.Predict(e, examples, _settings.BatchSize, pad, withMargin: _labels.IsBinary));
    }

    public Delegate MakeGetter(int output, Func<float[]> current)
    {
        int k = _labels.Count;
        if (_labels.IsBinary)
        {
            return output switch
            {
                0 => (ValueGetter<float>)((ref float v) => v = current()[2]),
                1 => (ValueGetter<float>)((ref float v) => v = 1f / (1f + MathF.Exp(-current()[2]))),
                _ => (ValueGetter<bool>)((ref bool v) => v = current()[2] > 0),
            };
        }

        return output switch
        {
            0 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                var editor = VBufferEditor.Create(ref v, k);
                current().AsSpan(0, k).CopyTo(editor.Values);
                v = editor.Commit();
            }),
            _ => (ValueGetter<uint>)((ref uint v) => v = (uint)ArgMax(current(), k) + 1),
        };
    }

    public static int ArgMax(float[] p, int k)
    {
        int best = 0;
        for (int c = 1; c < k; c++) if (p[c] > p[best]) best = c;
        return best;
    }
}
