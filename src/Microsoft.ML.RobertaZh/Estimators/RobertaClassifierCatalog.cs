using Microsoft.ML.RobertaZh.Hosting;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// The RoBERTa classifier in ML.NET's trainer catalogs, as ML.NET's TorchSharp <c>TextClassification</c> is reached:
/// <c>mlContext.BinaryClassification.Trainers.RobertaClassifier(...)</c> (Boolean label) and
/// <c>mlContext.MulticlassClassification.Trainers.RobertaClassifier(...)</c> (key label), each with a short overload and
/// an options one.
/// </summary>
public static class RobertaClassifierCatalog
{
    /// <summary>
    /// A binary classifier fine-tuned from <paramref name="modelPath"/> (a Hugging Face, UER-py or own model directory with
    /// vocab.txt) on a Boolean label: Score is the margin logit₁ − logit₀, Probability its sigmoid, PredictedLabel a Boolean.
    /// </summary>
    public static RobertaClassifierEstimator RobertaClassifier(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string modelPath, string labelColumnName = RobertaClassifierOptions.Defaults.LabelColumnName,
        string sentence1ColumnName = RobertaClassifierOptions.Defaults.Sentence1ColumnName, string? sentence2ColumnName = null,
        string scoreColumnName = RobertaClassifierOptions.Defaults.ScoreColumnName, string predictedLabelColumnName = RobertaClassifierOptions.Defaults.PredictedLabelColumnName,
        string probabilityColumnName = RobertaClassifierOptions.Defaults.ProbabilityColumnName,
        int batchSize = RobertaClassifierOptions.Defaults.BatchSize, int maxEpochs = RobertaClassifierOptions.Defaults.MaxEpochs, IDataView? validationSet = null)
    {
        var options = Short(modelPath, labelColumnName, sentence1ColumnName, sentence2ColumnName, scoreColumnName, predictedLabelColumnName, batchSize, maxEpochs, validationSet);
        options.ProbabilityColumnName = probabilityColumnName;
        return catalog.RobertaClassifier(options);
    }

    /// <summary>A binary classifier with <paramref name="options"/>.</summary>
    public static RobertaClassifierEstimator RobertaClassifier(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, RobertaClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RobertaClassifierEstimator(Interop.EnvironmentOf(catalog), options, RobertaClassifierTask.Binary);
    }

    /// <summary>
    /// A multiclass classifier fine-tuned from <paramref name="modelPath"/> on a key label (add
    /// <c>MapValueToKey</c> before it): Score holds the class probabilities with the class names as SlotNames,
    /// PredictedLabel is a key with the label's KeyValues.
    /// </summary>
    public static RobertaClassifierEstimator RobertaClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string modelPath, string labelColumnName = RobertaClassifierOptions.Defaults.LabelColumnName,
        string sentence1ColumnName = RobertaClassifierOptions.Defaults.Sentence1ColumnName, string? sentence2ColumnName = null,
        string scoreColumnName = RobertaClassifierOptions.Defaults.ScoreColumnName, string predictedLabelColumnName = RobertaClassifierOptions.Defaults.PredictedLabelColumnName,
        int batchSize = RobertaClassifierOptions.Defaults.BatchSize, int maxEpochs = RobertaClassifierOptions.Defaults.MaxEpochs, IDataView? validationSet = null) =>
        catalog.RobertaClassifier(Short(modelPath, labelColumnName, sentence1ColumnName, sentence2ColumnName, scoreColumnName, predictedLabelColumnName, batchSize, maxEpochs, validationSet));

    /// <summary>A multiclass classifier with <paramref name="options"/>.</summary>
    public static RobertaClassifierEstimator RobertaClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, RobertaClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new RobertaClassifierEstimator(Interop.EnvironmentOf(catalog), options, RobertaClassifierTask.Multiclass);
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
