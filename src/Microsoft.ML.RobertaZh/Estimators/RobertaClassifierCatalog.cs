using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Evaluation;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// The RoBERTa classifier in the classification catalogs, as ML.NET's <c>TextClassification</c> trainer is reached:
/// <c>context.MulticlassClassification.Trainers.RobertaClassifier(...)</c> and
/// <c>context.BinaryClassification.Trainers.RobertaClassifier(...)</c>, each with a short overload and an options one.
/// </summary>
public static class RobertaClassifierCatalog
{
    /// <summary>
    /// A multiclass RoBERTa classifier fine-tuned from <paramref name="modelPath"/> (a Hugging Face, UER-py or own model
    /// directory with vocab.txt); the other settings keep <see cref="RobertaClassifierOptions"/>' defaults.
    /// </summary>
    public static RobertaClassifierEstimator RobertaClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string modelPath, string labelColumnName = "Label", string sentence1ColumnName = "Sentence1", string? sentence2ColumnName = null,
        string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel", int batchSize = 32, int maxEpochs = 3,
        IDataView? validationSet = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RobertaClassifierEstimator(Short(modelPath, labelColumnName, sentence1ColumnName, sentence2ColumnName, scoreColumnName,
            predictedLabelColumnName, batchSize, maxEpochs, validationSet));
    }

    /// <summary>A multiclass RoBERTa classifier with <paramref name="options"/>.</summary>
    public static RobertaClassifierEstimator RobertaClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RobertaClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RobertaClassifierEstimator(options);
    }

    /// <summary>
    /// A binary RoBERTa classifier (exactly two classes; the positive one is the second in sorted order: 1, "1" or true)
    /// fine-tuned from <paramref name="modelPath"/>; it also outputs the positive class's probability.
    /// </summary>
    public static RobertaClassifierEstimator RobertaClassifier(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string modelPath, string labelColumnName = "Label", string sentence1ColumnName = "Sentence1", string? sentence2ColumnName = null,
        string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel", int batchSize = 32, int maxEpochs = 3,
        IDataView? validationSet = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RobertaClassifierEstimator(Short(modelPath, labelColumnName, sentence1ColumnName, sentence2ColumnName, scoreColumnName,
            predictedLabelColumnName, batchSize, maxEpochs, validationSet), binary: true);
    }

    /// <summary>A binary RoBERTa classifier with <paramref name="options"/>.</summary>
    public static RobertaClassifierEstimator RobertaClassifier(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RobertaClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RobertaClassifierEstimator(options, binary: true);
    }

    private static RobertaClassifierOptions Short(string modelPath, string label, string sentence1, string? sentence2, string score, string predicted,
        int batchSize, int maxEpochs, IDataView? validationSet)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return new RobertaClassifierOptions
        {
            ModelPath = modelPath, LabelColumnName = label, Sentence1ColumnName = sentence1, Sentence2ColumnName = sentence2,
            ScoreColumnName = score, PredictedLabelColumnName = predicted, BatchSize = batchSize, MaxEpochs = maxEpochs, ValidationSet = validationSet,
        };
    }
}
