using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Training (and validation) data read from data views, labels mapped to classes and texts tokenized once, ready for
/// any number of training runs (a fit, or every trial of a sweep).
/// </summary>
internal sealed class ClassifierTrainingData
{
    public required LabelMap Labels { get; init; }
    public required ClassifierStartingPoint Start { get; init; }
    public required ClassificationEncoder Encoder { get; init; }
    public required List<ClassificationExample[]> Train { get; init; }
    public List<ClassificationExample[]>? Validation { get; init; }

    /// <summary>Training rows without a label, skipped.</summary>
    public int SkippedTrainRows { get; init; }

    /// <summary>Validation rows without a label, skipped.</summary>
    public int SkippedValidationRows { get; init; }

    public int PadTokenId => Start.Tokenizer.Vocabulary.GetId(Start.Tokenizer.Options.PaddingToken) ?? 0;

    public static ClassifierTrainingData Prepare(RobertaClassifierOptions o, bool binary, IDataView train, IDataView? validation)
    {
        ArgumentNullException.ThrowIfNull(train);
        o.Validate();
        ClassifierRows.CheckSchema(SchemaShape.Create(train.Schema), o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName);
        if (validation is not null)
            ClassifierRows.CheckSchema(SchemaShape.Create(validation.Schema), o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName);
        var start = ClassifierStartingPoint.From(o);
        if (o.MaxSequenceLength > start.MaxPositions)
            throw new ArgumentException($"MaxSequenceLength {o.MaxSequenceLength} exceeds the model's max_position_embeddings ({start.MaxPositions}).");

        var labelColumn = train.Schema[o.LabelColumnName];
        var trainRows = ClassifierRows.Read(train, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName);
        var labels = LabelMap.Build(labelColumn.Type, trainRows.Select(r => r.Label), labelColumn.Annotations.KeyValues);
        if (labels.Count < 2)
            throw new ArgumentException($"The training data has {labels.Count} class{(labels.Count == 1 ? "" : "es")} in column '{o.LabelColumnName}' ({string.Join(", ", labels.Names)}); a classifier needs at least 2.");
        if (binary && labels.Count != 2)
            throw new ArgumentException($"Binary classification needs exactly 2 classes; column '{o.LabelColumnName}' has {labels.Count}: {string.Join(", ", labels.Names.Take(10))}. Use the multiclass trainer.");

        var encoder = new ClassificationEncoder(start.Tokenizer, o.MaxSequenceLength, o.LongTextStrategy, o.Stride);
        var (trainExamples, skippedTrain) = Encode(encoder, trainRows, labels);
        List<ClassificationExample[]>? validExamples = null;
        int skippedValid = 0;
        if (validation is not null)
        {
            var validColumn = validation.Schema[o.LabelColumnName];
            if (!validColumn.Type.Equals(labelColumn.Type))
                throw new ArgumentException($"The validation label column '{o.LabelColumnName}' has type {validColumn.Type}; the training one has {labelColumn.Type}.");
            var validRows = ClassifierRows.Read(validation, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName);
            (validExamples, skippedValid) = Encode(encoder, validRows, labels);
            if (validExamples.Count == 0) throw new ArgumentException("The validation set has no labeled rows.");
        }
        return new ClassifierTrainingData
        {
            Labels = labels, Start = start, Encoder = encoder, Train = trainExamples, Validation = validExamples,
            SkippedTrainRows = skippedTrain, SkippedValidationRows = skippedValid,
        };
    }

    private static (List<ClassificationExample[]> Rows, int Skipped) Encode(ClassificationEncoder encoder, List<ClassifierRow> rows, LabelMap labels)
    {
        var result = new List<ClassificationExample[]>(rows.Count);
        int skipped = 0;
        foreach (var row in rows)
        {
            int label = labels.IndexOf(row.Label);
            if (label < 0) { skipped++; continue; }
            result.Add(encoder.Encode(row.Text, row.Pair, label));
        }
        return (result, skipped);
    }
}
