using System.Globalization;
using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Evaluation;

public static partial class Evaluator
{
    private static readonly string[] PositiveWords = ["1", "true", "yes", "pos", "positive"];
    private static readonly string[] NegativeWords = ["0", "false", "no", "neg", "negative", "-1"];

    /// <summary>
    /// Binary metrics from a scored view. Labels: Boolean; a number (positive when &gt; 0); or text — equal to
    /// <paramref name="positiveClass"/> when given, else 1/true/yes/pos/positive vs 0/false/no/neg/negative/-1.
    /// Probabilities: <paramref name="probabilityColumnName"/> (Single) when the view has it, else the second item of a
    /// two-item Score vector (or the slot named <paramref name="positiveClass"/>), else a scalar Score in [0, 1].
    /// Predictions: probability &gt; 0.5 (the <paramref name="predictedLabelColumnName"/> column is not needed).
    /// </summary>
    public static BinaryClassificationMetrics EvaluateBinary(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string probabilityColumnName = "Probability", string predictedLabelColumnName = "PredictedLabel", string? positiveClass = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _ = predictedLabelColumnName;
        var schema = data.Schema;
        var labelColumn = schema[labelColumnName];
        var probabilityColumn = schema.GetColumnOrNull(probabilityColumnName);
        DataViewSchema.Column scoreColumn;
        int slot = -1;
        if (probabilityColumn is { Type: NumberDataViewType t } && t == NumberDataViewType.Single) scoreColumn = probabilityColumn;
        else
        {
            scoreColumn = schema.GetColumnOrNull(scoreColumnName) ?? throw new ArgumentOutOfRangeException(nameof(data),
                $"Neither a '{probabilityColumnName}' nor a '{scoreColumnName}' column. Available columns: {schema.DescribeColumns()}.");
            if (scoreColumn.Type is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Single)
            {
                var names = scoreColumn.Annotations.SlotNames;
                slot = positiveClass is not null && names is not null ? IndexOf(names, positiveClass, scoreColumn.Name) : 1;
            }
            else if (scoreColumn.Type != NumberDataViewType.Single)
                throw new InvalidOperationException($"Column '{scoreColumn.Name}' has type {scoreColumn.Type}; binary evaluation needs Single probabilities or a vector of two.");
        }

        var labels = new List<bool>();
        var probabilities = new List<float>();
        using (var cursor = data.GetRowCursor([labelColumn, scoreColumn]))
        {
            var getLabel = LabelReader(cursor, labelColumn, positiveClass);
            Func<float> getScore;
            if (slot >= 0)
            {
                var g = cursor.GetGetter<VBuffer<float>>(scoreColumn);
                int s = slot;
                getScore = () =>
                {
                    VBuffer<float> v = default;
                    g(ref v);
                    if (v.Length <= s) throw new InvalidOperationException($"Column '{scoreColumn.Name}' holds {v.Length} scores; slot {s} is needed for the positive class.");
                    return v.GetValues()[s];
                };
            }
            else
            {
                var g = cursor.GetGetter<float>(scoreColumn);
                getScore = () =>
                {
                    float f = 0;
                    g(ref f);
                    return f;
                };
            }

            while (cursor.MoveNext())
            {
                labels.Add(getLabel());
                probabilities.Add(getScore());
            }
        }

        return EvaluateBinary(labels, probabilities);
    }

    /// <summary>
    /// Multiclass metrics from a scored view: <paramref name="scoreColumnName"/> is a vector of class probabilities.
    /// Class names come from <paramref name="classNames"/>, else the Score column's slot names, else the label
    /// column's key values. Labels: a key (1-based), an integer class index, or text naming a class (or, without class
    /// names, an integer in text). The prediction is the argmax of the scores (what <paramref name="predictedLabelColumnName"/> holds; it is not read).
    /// </summary>
    public static MulticlassClassificationMetrics EvaluateMulticlass(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel", int topKPredictionCount = 0, IReadOnlyList<string>? classNames = null,
        IReadOnlyList<double>? priorProbabilities = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _ = predictedLabelColumnName;
        var labelColumn = data.Schema[labelColumnName];
        var scoreColumn = data.Schema[scoreColumnName];
        if (scoreColumn.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Single)
            throw new InvalidOperationException($"Column '{scoreColumn.Name}' has type {scoreColumn.Type}; multiclass evaluation needs a vector of Single probabilities.");
        classNames ??= scoreColumn.Annotations.SlotNames ?? labelColumn.Annotations.KeyValues;
        var index = classNames?.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i, StringComparer.Ordinal);

        var labels = new List<int>();
        var scores = new List<float[]>();
        using (var cursor = data.GetRowCursor([labelColumn, scoreColumn]))
        {
            var getScore = cursor.GetGetter<float[]>(scoreColumn);
            Func<int> getLabel = labelColumn.Type switch
            {
                KeyDataViewType => Boxed(cursor, labelColumn, v => (int)(uint)v! - 1),
                TextDataViewType => Boxed(cursor, labelColumn, v =>
                {
                    string s = ((ReadOnlyMemory<char>)v!).ToString().Trim();
                    if (index is not null)
                        return index.TryGetValue(s, out int c) ? c : throw new InvalidOperationException(
                            $"Label '{s}' is not one of the classes: {string.Join(", ", classNames!)}.");
                    return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new InvalidOperationException(
                        $"Label '{s}' is text but no class names are known: pass classNames, or give the '{scoreColumn.Name}' column slot names.");
                }),
                _ => Boxed(cursor, labelColumn, v => Convert.ToInt32(v, CultureInfo.InvariantCulture)),
            };
            while (cursor.MoveNext())
            {
                labels.Add(getLabel());
                float[] s = [];
                getScore(ref s);
                scores.Add(s);
            }
        }

        return EvaluateMulticlass(labels, scores, topKPredictionCount, classNames, priorProbabilities);
    }

    private static Func<bool> LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column, string? positiveClass) => column.Type switch
    {
        BooleanDataViewType => Boxed(cursor, column, v => (bool)v!),
        TextDataViewType => Boxed(cursor, column, v => TextLabel(((ReadOnlyMemory<char>)v!).ToString().Trim(), positiveClass, column.Name)),
        VectorDataViewType => throw new InvalidOperationException($"Label column '{column.Name}' is a vector."),
        _ => Boxed(cursor, column, v => Convert.ToDouble(v, CultureInfo.InvariantCulture) > 0),
    };

    private static bool TextLabel(string s, string? positiveClass, string column)
    {
        if (positiveClass is not null) return s == positiveClass;
        if (PositiveWords.Contains(s, StringComparer.OrdinalIgnoreCase)) return true;
        if (NegativeWords.Contains(s, StringComparer.OrdinalIgnoreCase)) return false;
        throw new InvalidOperationException($"Label '{s}' in column '{column}' is neither positive (1/true/yes/pos) nor negative (0/false/no/neg): pass positiveClass.");
    }

    private static Func<T> Boxed<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<object?, T> convert)
    {
        var get = GetBoxed(cursor, column);
        return () => convert(get());
    }

    private static Func<object?> GetBoxed(DataViewRowCursor cursor, DataViewSchema.Column column) => column.Type.RawType switch
    {
        var t when t == typeof(ReadOnlyMemory<char>) => Typed<ReadOnlyMemory<char>>(cursor, column),
        var t when t == typeof(bool) => Typed<bool>(cursor, column),
        var t when t == typeof(float) => Typed<float>(cursor, column),
        var t when t == typeof(double) => Typed<double>(cursor, column),
        var t when t == typeof(int) => Typed<int>(cursor, column),
        var t when t == typeof(long) => Typed<long>(cursor, column),
        var t when t == typeof(uint) => Typed<uint>(cursor, column),
        _ => throw new InvalidOperationException($"Label column '{column.Name}' has unsupported type {column.Type}."),
    };

    private static Func<object?> Typed<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var g = cursor.GetGetter<T>(column);
        return () =>
        {
            T v = default!;
            g(ref v);
            return v;
        };
    }

    private static int IndexOf(IReadOnlyList<string> names, string name, string column)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        throw new InvalidOperationException($"Class '{name}' is not a slot of column '{column}': {string.Join(", ", names)}.");
    }
}
