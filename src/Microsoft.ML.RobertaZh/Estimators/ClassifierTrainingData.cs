using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Training (and validation) data read from data views through cursors, labels turned into class indices (Boolean:
/// false 0, true 1; key k: class k − 1, key 0 = missing label, skipped) and texts tokenized once.
/// </summary>
internal sealed class ClassifierTrainingData
{
    public required ClassLabels Labels { get; init; }
    public required ClassifierStartingPoint Start { get; init; }
    public required List<ClassificationExample[]> Train { get; init; }
    public List<ClassificationExample[]>? Validation { get; init; }

    /// <summary>Training rows without a label (missing key), skipped.</summary>
    public int SkippedTrainRows { get; init; }

    /// <summary>Validation rows without a label, skipped.</summary>
    public int SkippedValidationRows { get; init; }

    public int PadTokenId => Start.Tokenizer.Vocabulary.GetId(Start.Tokenizer.Options.PaddingToken) ?? 0;

    public static ClassifierTrainingData Prepare(RobertaClassifierOptions o, RobertaClassifierTask task, IDataView train, IDataView? validation)
    {
        ArgumentNullException.ThrowIfNull(train);
        o.Validate();
        ClassifierSchema.Check(train.Schema, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName, task);
        if (validation is not null) ClassifierSchema.Check(validation.Schema, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName, task);
        var labels = task == RobertaClassifierTask.Binary ? ClassLabels.Binary : ClassLabels.FromKeyColumn(train.Schema[o.LabelColumnName]);
        if (labels.Count < 2)
            throw new ArgumentException($"The label column '{o.LabelColumnName}' has {labels.Count} class; a classifier needs at least 2.");
        if (validation is not null && !validation.Schema[o.LabelColumnName].Type.Equals(train.Schema[o.LabelColumnName].Type))
            throw new ArgumentException($"The validation label column '{o.LabelColumnName}' has type {validation.Schema[o.LabelColumnName].Type}; the training one has {train.Schema[o.LabelColumnName].Type}. Map both with the same fitted MapValueToKey.");
        var start = ClassifierStartingPoint.From(o);
        if (o.MaxSequenceLength > start.MaxPositions)
            throw new ArgumentException($"MaxSequenceLength {o.MaxSequenceLength} exceeds the model's max_position_embeddings ({start.MaxPositions}).");

        var encoder = new ClassificationEncoder(start.Tokenizer, o.MaxSequenceLength, o.LongTextStrategy, o.Stride);
        var (trainRows, skippedTrain) = Read(train, o, encoder, labels.Count);
        if (trainRows.Count == 0) throw new ArgumentException("The training data has no labelled rows.");
        List<ClassificationExample[]>? validRows = null;
        int skippedValid = 0;
        if (validation is not null)
        {
            (validRows, skippedValid) = Read(validation, o, encoder, labels.Count);
            if (validRows.Count == 0) throw new ArgumentException("The validation set has no labelled rows.");
        }

        return new ClassifierTrainingData
        {
            Labels = labels, Start = start, Train = trainRows, Validation = validRows, SkippedTrainRows = skippedTrain, SkippedValidationRows = skippedValid,
        };
    }

    /// <summary>Streams the rows of <paramref name="view"/> through a cursor, tokenizing each (rows with a missing key label are skipped).</summary>
    private static (List<ClassificationExample[]> Rows, int Skipped) Read(IDataView view, RobertaClassifierOptions o, ClassificationEncoder encoder, int classes)
    {
        var schema = view.Schema;
        var s1 = schema[o.Sentence1ColumnName];
        var s2 = o.Sentence2ColumnName is null ? (DataViewSchema.Column?)null : schema[o.Sentence2ColumnName];
        var label = schema[o.LabelColumnName];
        var needed = s2 is { } c2 ? new[] { s1, c2, label } : [s1, label];
        using var cursor = view.GetRowCursor(needed);
        var get1 = cursor.GetGetter<ReadOnlyMemory<char>>(s1);
        var get2 = s2 is { } p ? cursor.GetGetter<ReadOnlyMemory<char>>(p) : null;
        Func<int> getLabel;
        if (label.Type is BooleanDataViewType)
        {
            var g = cursor.GetGetter<bool>(label);
            getLabel = () => { bool v = false; g(ref v); return v ? 1 : 0; };
        }
        else
        {
            var g = cursor.GetGetter<uint>(label);
            getLabel = () => { uint v = 0; g(ref v); return v == 0 || v > classes ? -1 : (int)v - 1; };
        }

        var rows = new List<ClassificationExample[]>();
        int skipped = 0;
        ReadOnlyMemory<char> text = default, pair = default;
        while (cursor.MoveNext())
        {
            int index = getLabel();
            if (index < 0)
            {
                skipped++;
                continue;
            }

            get1(ref text);
            get2?.Invoke(ref pair);
            rows.Add(encoder.Encode(text.ToString(), get2 is null ? null : pair.ToString(), index));
        }

        return (rows, skipped);
    }
}
