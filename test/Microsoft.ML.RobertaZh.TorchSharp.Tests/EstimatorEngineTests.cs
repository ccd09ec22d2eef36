using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Tests.Data;
using Microsoft.ML.RobertaZh.Tests.Estimators;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.TorchSharp.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.TorchSharp.Tests;

/// <summary>
/// The ML.NET estimators on the TorchSharp engine: a classifier fitted through the catalog evaluates through ML.NET's
/// evaluator and scores the same on the managed engine, the best epoch is restored through the engine, CUDA without a
/// CUDA build fails before any row is read (or falls back), MLContext's GPU settings are honoured, and embeddings agree.
/// </summary>
public sealed class EstimatorEngineTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly string _modelPath;

    public EstimatorEngineTests() => _modelPath = ClassifierFixtures.ModelDirectory(_files.Root);

    public void Dispose() => _files.Dispose();

    private RobertaClassifierOptions Options(int epochs = 4) => new()
    {
        ModelPath = _modelPath, BatchSize = 8, MaxEpochs = epochs, LearningRate = 5e-3f, MaxSequenceLength = 32, Dropout = 0f, Seed = 3,
        Engine = EngineKind.TorchSharp,
    };

    private static float[] Scores(MLContext ml, RobertaClassifierTransformer model, IDataView data) =>
        [.. ml.Data.CreateEnumerable<BinaryScore>(model.Transform(data), reuseRowObject: false).Select(r => r.Score)];

    [TorchSharpFact]
    public void AClassifierFittedOnTorchSharpEvaluatesThroughMlNetAndScoresTheSameOnManaged()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(ClassifierFixturesRows(128, 1));
        var test = ml.Data.LoadFromEnumerable(ClassifierFixturesRows(64, 2));
        using var torch = ml.BinaryClassification.Trainers.RobertaClassifier(Options()).Fit(train);
        Assert.Equal((EngineKind.TorchSharp, "cpu"), (torch.Engine, torch.Device));

        var scored = torch.Transform(test);
        var metrics = ml.BinaryClassification.Evaluate(scored);
        var rows = ml.Data.CreateEnumerable<BinaryScore>(scored, reuseRowObject: false).ToList();
        Assert.Equal(rows.Count(r => r.PredictedLabel == r.Label) / (double)rows.Count, metrics.Accuracy, 12);
        Assert.True(metrics.Accuracy >= 0.9, $"accuracy {metrics.Accuracy} (the toy task is separable)");

        // The same weights on the managed engine: saved by the TorchSharp-trained transformer, loaded on Managed.
        string dir = Path.Combine(_files.Root, "torch-classifier");
        torch.Save(dir);
        using var managed = RobertaClassifierTransformer.Load(ml, dir);
        Assert.Equal(EngineKind.Managed, managed.Engine);
        var expected = Scores(ml, managed, test);
        var actual = Scores(ml, torch, test);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"row {i}: TorchSharp {actual[i]} vs managed {expected[i]}");
        Assert.Equal(metrics.Accuracy, ml.BinaryClassification.Evaluate(managed.Transform(test)).Accuracy);
    }

    [TorchSharpFact]
    public void TheBestEpochsWeightsAreRestoredThroughTheEngine()
    {
        // Validation labels are the opposite of the training labels: the better the model learns, the worse it validates,
        // so the best epoch is an early one and keeping the last epoch's weights would be visible.
        var ml = new MLContext(seed: 1);
        var flipped = ml.Data.LoadFromEnumerable(ClassifierFixturesRows(48, 2).Select(r => new BinaryReview { Sentence1 = r.Sentence1, Label = !r.Label }).ToList());
        var options = Options(epochs: 4);
        options.ValidationSet = flipped;
        using var model = ml.BinaryClassification.Trainers.RobertaClassifier(options).Fit(ml.Data.LoadFromEnumerable(ClassifierFixturesRows(128, 1)));
        var history = model.TrainingHistory;
        Assert.Equal(4, history.Count);
        Assert.True(history.Max(h => h.Accuracy) - history[^1].Accuracy >= 0.2, "accuracy by epoch: " + string.Join(", ", history.Select(h => h.Accuracy)));
        double kept = ml.BinaryClassification.Evaluate(model.Transform(flipped)).Accuracy;
        Assert.Equal(history.Max(h => h.Accuracy), kept, 1.0 / 48 + 1e-9); // batching may move one borderline row
    }

    [TorchSharpFact]
    public void CudaWithoutACudaBuildFailsBeforeAnyRowIsReadUnlessFallingBack()
    {
        var ml = new MLContext(seed: 1);
        var options = Options(epochs: 1);
        options.Device = "cuda";
        var e = Assert.Throws<EngineUnavailableException>(() => ml.BinaryClassification.Trainers.RobertaClassifier(options).Fit(ml.Data.LoadFromEnumerable(UnreadableRows.Of<BinaryReview>())));
        Assert.Contains("libtorch-cuda-12.8-linux-x64 2.10.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("TorchSharp-cuda-linux", e.Message, StringComparison.Ordinal);

        options.FallbackToCpu = true;
        options.MaxSteps = 2;
        using var model = ml.BinaryClassification.Trainers.RobertaClassifier(options).Fit(ml.Data.LoadFromEnumerable(ClassifierFixturesRows(16, 1)));
        Assert.Equal((EngineKind.TorchSharp, "cpu"), (model.Engine, model.Device));
        Assert.Equal(8, Scores(ml, model, ml.Data.LoadFromEnumerable(ClassifierFixturesRows(8, 2))).Length);
    }

    [TorchSharpFact]
    public void MlContextGpuDeviceIdIsHonouredUnlessADeviceIsSet()
    {
        var options = Options(epochs: 1);
        options.MaxSteps = 2;
        var strict = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
        var e = Assert.Throws<EngineUnavailableException>(() => strict.BinaryClassification.Trainers.RobertaClassifier(options).Fit(strict.Data.LoadFromEnumerable(UnreadableRows.Of<BinaryReview>())));
        Assert.Contains("CUDA build of libtorch", e.Message, StringComparison.Ordinal);

        var lenient = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = true };
        using (var model = lenient.BinaryClassification.Trainers.RobertaClassifier(options).Fit(lenient.Data.LoadFromEnumerable(ClassifierFixturesRows(16, 1))))
            Assert.Equal((EngineKind.TorchSharp, "cpu"), (model.Engine, model.Device));

        options.Device = "cpu";
        using (var model = strict.BinaryClassification.Trainers.RobertaClassifier(options).Fit(strict.Data.LoadFromEnumerable(ClassifierFixturesRows(16, 1))))
            Assert.Equal("cpu", model.Device);

        // Loading a model reads MLContext the same way.
        string dir = Path.Combine(_files.Root, "gpu-context");
        using (var model = lenient.BinaryClassification.Trainers.RobertaClassifier(options).Fit(lenient.Data.LoadFromEnumerable(ClassifierFixturesRows(16, 1))))
            model.Save(dir);
        Assert.Throws<EngineUnavailableException>(() => RobertaClassifierTransformer.Load(strict, dir, new RobertaInferenceOptions { Engine = EngineKind.TorchSharp }));
        using var loaded = RobertaClassifierTransformer.Load(lenient, dir, new RobertaInferenceOptions { Engine = EngineKind.TorchSharp });
        Assert.Equal("cpu", loaded.Device);
    }

    [TorchSharpFact]
    public void EmbeddingsOnTorchSharpAgreeWithTheManagedEngine()
    {
        var ml = new MLContext(seed: 1);
        var texts = ClassifierFixturesRows(20, 4).Select(r => new TextOnly { Text = r.Sentence1 }).ToList();
        var view = ml.Data.LoadFromEnumerable(texts);
        float[] Embed(EngineKind engine)
        {
            using var t = ml.Transforms.Text.RobertaEmbedding(new RobertaEmbeddingOptions { ModelPath = _modelPath, Pooling = EmbeddingPooling.Mean, Engine = engine, BatchSize = 8 }).Fit(view);
            Assert.Equal(engine, t.Engine);
            return [.. ml.Data.CreateEnumerable<Embedded>(t.Transform(view), reuseRowObject: false).SelectMany(r => r.Features)];
        }

        TensorAssert.Close(Embed(EngineKind.TorchSharp), Embed(EngineKind.Managed), 1e-4, "mean-pooled embeddings");
        using var encoder = RobertaEncoderTransformer.Load(_modelPath, new RobertaInferenceOptions { Engine = EngineKind.TorchSharp });
        using var reference = RobertaEncoderTransformer.Load(_modelPath);
        var masked = encoder.FillMask("我很[MASK]这个。", topK: 3).Single();
        var expected = reference.FillMask("我很[MASK]这个。", topK: 3).Single();
        Assert.Equal(expected.Select(r => r.Token), masked.Select(r => r.Token));
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i].Score, masked[i].Score, 1e-4);
    }

    private static List<BinaryReview> ClassifierFixturesRows(int count, int seed) =>
        [.. ClassifierFixtures.Reviews(count, seed).Select(r => new BinaryReview { Sentence1 = r.Text, Label = r.Label == 1 })];

    private sealed class BinaryScore
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private sealed class TextOnly
    {
        public string Text { get; set; } = "";
    }

    private sealed class Embedded
    {
        public float[] Features { get; set; } = [];
    }
}
