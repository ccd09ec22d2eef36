using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Data;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Fine-tunes a Chinese RoBERTa/BERT text classifier, as UER-py's run_classifier does (single texts when only
/// <see cref="RobertaClassifierOptions.Sentence1ColumnName"/> is set, sentence pairs when
/// <see cref="RobertaClassifierOptions.Sentence2ColumnName"/> is too). Labels may be text, numbers, Booleans or keys;
/// the classes are their distinct values in sorted order, saved with the model. Reached from
/// <c>context.MulticlassClassification.Trainers.RobertaClassifier(...)</c> or
/// <c>context.BinaryClassification.Trainers.RobertaClassifier(...)</c>.
/// </summary>
public sealed class RobertaClassifierEstimator : IEstimator<RobertaClassifierTransformer>
{
    /// <summary>An estimator with <paramref name="options"/>; <paramref name="binary"/> requires exactly two classes and adds a probability column.</summary>
    public RobertaClassifierEstimator(RobertaClassifierOptions options, bool binary = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        IsBinary = binary;
    }

    /// <summary>The settings.</summary>
    public RobertaClassifierOptions Options { get; }

    /// <summary>True for binary classification.</summary>
    public bool IsBinary { get; }

    /// <summary>What loading the starting checkpoint matched (missing and unexpected tensors), after <see cref="Fit(IDataView)"/> from a directory.</summary>
    public CheckpointLoadReport? StartingCheckpointReport { get; private set; }

    /// <summary>Labeled rows of the last fit's training and validation sets that were skipped for lacking a label.</summary>
    public (int Training, int Validation) SkippedRows { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">A text or label column is missing or of the wrong type; the message names it and lists the columns.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = Options;
        ClassifierRows.CheckSchema(inputSchema, o.Sentence1ColumnName, o.Sentence2ColumnName, o.LabelColumnName);
        var label = inputSchema.GetColumn(o.LabelColumnName);
        var columns = new List<SchemaShape.Column>
        {
            new(o.PredictedLabelColumnName, SchemaShape.VectorKind.Scalar, label.ItemType, label.IsKey) { Annotations = label.Annotations },
            new(o.ScoreColumnName, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false),
        };
        if (IsBinary) columns.Add(new(o.ProbabilityColumnName, SchemaShape.VectorKind.Scalar, NumberDataViewType.Single, false));
        return inputSchema.With([.. columns]);
    }

    /// <summary>Trains on <paramref name="input"/> (validating on <see cref="RobertaClassifierOptions.ValidationSet"/> if set).</summary>
    public RobertaClassifierTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains on <paramref name="input"/>; when <paramref name="cancellation"/> fires, stops after a checkpoint and returns the model so far (the best epoch's, with a validation set).</summary>
    public RobertaClassifierTransformer Fit(IDataView input, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var data = ClassifierTrainingData.Prepare(Options, IsBinary, input, Options.ValidationSet);
        SkippedRows = (data.SkippedTrainRows, data.SkippedValidationRows);
        var result = Train(data, Options, IsBinary, cancellation);
        StartingCheckpointReport = data.Start.LoadReport;
        return result;
    }

    /// <summary>One training run on prepared data (a fit, or a sweep trial).</summary>
    internal static RobertaClassifierTransformer Train(ClassifierTrainingData data, RobertaClassifierOptions o, bool binary, CancellationToken cancellation)
    {
        var model = data.Start.CreateModel(data.Labels.Count, o.Seed);
        var history = ClassifierTrainer.Train(o, model, data.Train, data.Validation, data.PadTokenId, data.Start.VocabularyPath, cancellation);
        return new RobertaClassifierTransformer(model, data.Start.Tokenizer, data.Labels, ClassifierSettings.From(o, data.Labels, binary), history);
    }
}
