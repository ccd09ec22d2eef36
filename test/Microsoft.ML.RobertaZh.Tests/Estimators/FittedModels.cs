using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.Transforms;
using Microsoft.ML.RobertaZh.Tests.Data;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

/// <summary>
/// Fits, once per test class, briefly trained classifiers from a tiny model directory: a binary one on Boolean labels and
/// the three-step multiclass chain MapValueToKey → RobertaClassifier → MapKeyToValue on text labels.
/// </summary>
public sealed class FittedModels : IDisposable
{
    private readonly TempFiles _files = new();

    public FittedModels()
    {
        Ml = new MLContext(seed: 1);
        ModelPath = ClassifierFixtures.ModelDirectory(_files.Root);
        BinaryTrain = Ml.Data.LoadFromEnumerable(ToyRows.Binary(64, 1));
        Binary = Ml.BinaryClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = ModelPath, BatchSize = 16, MaxSteps = 4, LearningRate = 1e-3f, MaxSequenceLength = 32,
        }).Fit(BinaryTrain);
        NamedTrain = Ml.Data.LoadFromEnumerable(ToyRows.Named(60, 2));
        Chain = MulticlassPipeline(Ml, ModelPath, maxSteps: 4).Fit(NamedTrain);
    }

    public MLContext Ml { get; }

    public string ModelPath { get; }

    public IDataView BinaryTrain { get; }

    public RobertaClassifierTransformer Binary { get; }

    public IDataView NamedTrain { get; }

    public TransformerChain<KeyToValueMappingTransformer> Chain { get; }

    public string Root => _files.Root;

    /// <summary>MapValueToKey → RobertaClassifier → MapKeyToValue.</summary>
    public static EstimatorChain<KeyToValueMappingTransformer> MulticlassPipeline(MLContext ml, string modelPath, long? maxSteps = null, int epochs = 1, float learningRate = 1e-3f,
        IDataView? validation = null) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
            {
                ModelPath = modelPath, BatchSize = 8, MaxSteps = maxSteps, MaxEpochs = epochs, LearningRate = learningRate, MaxSequenceLength = 32, Dropout = 0f,
                ValidationSet = validation,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    public void Dispose() => _files.Dispose();
}

/// <summary>A binary prediction as ML.NET's CreateEnumerable / PredictionEngine read it.</summary>
public sealed class BinaryPrediction
{
    public string Sentence1 { get; set; } = "";

    public bool Label { get; set; }

    public float Score { get; set; }

    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}

/// <summary>A multiclass prediction after MapKeyToValue.</summary>
public sealed class NamedPrediction
{
    public string Sentence1 { get; set; } = "";

    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];
}

/// <summary>A row with only a "Text" column.</summary>
public sealed class TextOnly
{
    public string Text { get; set; } = "";
}
