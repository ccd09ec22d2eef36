using Microsoft.ML.Data;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Scoring;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Transforms;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.MlNet;

/// <summary>
/// The documented all-ML.NET pipeline: TokenizeForRoberta → ApplyOnnxModel over <c>transformer.ExportOnnx(...)</c> →
/// score columns, evaluated by ML.NET's own evaluators with the same metrics as the classifier transformer it came from;
/// saved with <c>mlContext.Model.Save</c> and reloaded with <c>Model.Load</c> in a fresh MLContext after the .onnx file and
/// the vocabulary are deleted: identical scores, through Transform and PredictionEngine.
/// </summary>
public sealed class OnnxPipelineTests : IDisposable
{
    private static readonly string[] IdColumns = ["input_ids", "attention_mask", "token_type_ids"];

    // Fixed-length ids (vectors of known size 32) need ApplyOnnxModel told the tensor shape; dynamic-length ones do not.
    private static readonly Dictionary<string, int[]> Shapes32 = IdColumns.ToDictionary(c => c, _ => new[] { 1, 32 });
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A binary example.</summary>
    public sealed class BinaryRow
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }

    /// <summary>A multiclass example.</summary>
    public sealed class MulticlassRow
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }

    /// <summary>An unlabelled example.</summary>
    public sealed class TextOnly
    {
        public string Text { get; set; } = "";
    }

    /// <summary>What the binary pipeline predicts.</summary>
    public sealed class BinaryPrediction
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    /// <summary>What the multiclass pipeline predicts.</summary>
    public sealed class MulticlassPrediction
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    private static List<BinaryRow> BinaryRows(int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Classifiers.Sentences(count, seed).Select(t => new BinaryRow { Text = t, Label = rng.Next(2) == 1 })];
    }

    [Fact]
    public void BinaryPipelineMatchesTheClassifierTransformerAndSurvivesModelSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        using var classifier = RobertaClassifierTransformer.Load(ml, Classifiers.BinaryDirectory(_dir.Path));
        string onnx = classifier.ExportOnnx(_dir.File("onnx/classifier.onnx")).ModelPath;
        var data = ml.Data.LoadFromEnumerable(BinaryRows(60, seed: 2));

        var pipeline = ml.Transforms.Text.TokenizeForRoberta(classifier.Tokenizer, "Text", maxLength: 32)
            .Append(ml.Transforms.ApplyOnnxModel(["logits"], IdColumns, onnx, Shapes32, gpuDeviceId: null, fallbackToCpu: false))
            .Append(ml.Transforms.CustomMapping(new BinaryClassifierScores().GetMapping(), BinaryClassifierScores.Contract));
        var model = pipeline.Fit(data);
        var onnxScores = model.Transform(data).GetColumn<float>("Score").ToArray();
        var managedScored = classifier.Transform(data);
        var managedScores = managedScored.GetColumn<float>("Score").ToArray();
        Assert.True(managedScores.Any(s => s > 0) && managedScores.Any(s => s < 0), "the binary fixture should predict both classes");
        TensorAssert.ClosePresent(onnxScores, managedScores, 1e-4, "Score");

        var expected = ml.BinaryClassification.Evaluate(managedScored);
        var actual = ml.BinaryClassification.Evaluate(model.Transform(data));
        Assert.Equal(expected.Accuracy, actual.Accuracy);
        Assert.Equal(expected.F1Score, actual.F1Score);
        Assert.Equal(expected.AreaUnderRocCurve, actual.AreaUnderRocCurve, 6);
        Assert.Equal(expected.LogLoss, actual.LogLoss, 4);

        string zip = _dir.File("binary.zip");
        ml.Model.Save(model, data.Schema, zip);
        Directory.Delete(_dir.File("onnx"), recursive: true); // the .onnx file and the vocab.txt beside it
        var fresh = new MLContext(seed: 3);
        var loaded = fresh.Model.Load(zip, out _);
        var reloaded = fresh.Data.LoadFromEnumerable(BinaryRows(60, seed: 2));
        Assert.Equal(onnxScores, loaded.Transform(reloaded).GetColumn<float>("Score").ToArray());
        Assert.Equal(actual.AreaUnderRocCurve, fresh.BinaryClassification.Evaluate(loaded.Transform(reloaded)).AreaUnderRocCurve);

        var engine = fresh.Model.CreatePredictionEngine<BinaryRow, BinaryPrediction>(loaded);
        var one = classifier.Predict("我爱北京天安门");
        var p = engine.Predict(new BinaryRow { Text = "我爱北京天安门" });
        Assert.Equal(one.PredictedLabel == "1", p.PredictedLabel);
        Assert.Equal(one.Probabilities[1], p.Probability, 4);
    }

    [Fact]
    public void MulticlassPipelineMatchesTheClassifierTransformerAndSurvivesModelSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        using var classifier = RobertaClassifierTransformer.Load(ml, Classifiers.MulticlassDirectory(_dir.Path));
        Assert.Equal(["negative", "neutral", "positive"], classifier.Classes);
        var export = classifier.ExportOnnx(_dir.File("onnx/classifier.onnx"));
        var rng = new Random(4);
        var rows = Classifiers.Sentences(60, seed: 4).Select(t => new MulticlassRow { Text = t, Label = classifier.Classes[rng.Next(3)] }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        // Keys in the classes' order (alphabetical here), so key k is class k − 1 as the evaluator assumes.
        var labeled = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data).Transform(data);

        var pipeline = ml.Transforms.Text.TokenizeForRoberta(classifier.Tokenizer, "Text", maxLength: 32)
            .Append(ml.Transforms.ApplyOnnxModel(["probabilities"], IdColumns, export.ModelPath, Shapes32, gpuDeviceId: null, fallbackToCpu: false))
            .Append(ml.Transforms.CopyColumns("Score", "probabilities"))
            .Append(ml.Transforms.CustomMapping(new MulticlassClassifierScores().GetMapping(), MulticlassClassifierScores.Contract));
        var model = pipeline.Fit(labeled);
        var scored = model.Transform(labeled);
        Assert.Equal(3, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
        var managedScored = classifier.Transform(labeled);
        TensorAssert.ClosePresent([.. scored.GetColumn<float[]>("Score").SelectMany(s => s)], [.. managedScored.GetColumn<float[]>("Score").SelectMany(s => s)], 1e-4, "Score");
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        Assert.True(predicted.Distinct().Count() >= 2, "the fixture head should predict more than one class");
        Assert.Equal(managedScored.GetColumn<uint>("PredictedLabel").ToArray(), predicted);

        var expected = ml.MulticlassClassification.Evaluate(managedScored);
        var actual = ml.MulticlassClassification.Evaluate(scored);
        Assert.Equal(expected.MicroAccuracy, actual.MicroAccuracy);
        Assert.Equal(expected.MacroAccuracy, actual.MacroAccuracy);
        Assert.Equal(expected.LogLoss, actual.LogLoss, 4);
        Assert.Equal(expected.ConfusionMatrix.Counts, actual.ConfusionMatrix.Counts);

        string zip = _dir.File("multiclass.zip");
        ml.Model.Save(model, labeled.Schema, zip);
        Directory.Delete(_dir.File("onnx"), recursive: true);
        var fresh = new MLContext(seed: 3);
        var loaded = fresh.Model.Load(zip, out _);
        var again = loaded.Transform(labeled);
        Assert.Equal(scored.GetColumn<float[]>("Score").ToArray(), again.GetColumn<float[]>("Score").ToArray());
        Assert.Equal(actual.LogLoss, fresh.MulticlassClassification.Evaluate(again).LogLoss);
        var engine = fresh.Model.CreatePredictionEngine<TextOnly, MulticlassPrediction>(loaded);
        var p = engine.Predict(new TextOnly { Text = rows[7].Text });
        Assert.Equal(predicted[7], p.PredictedLabel);
        Assert.Equal(classifier.Predict(rows[7].Text).Probabilities.ToArray(), p.Score, new ToleranceComparer(1e-4f));
    }

    [Fact]
    public void DynamicLengthIdsScoreAsFixedLengthOnesWithoutAShapeDictionary()
    {
        var ml = new MLContext(seed: 1);
        using var classifier = RobertaClassifierTransformer.Load(ml, Classifiers.MulticlassDirectory(_dir.Path));
        string onnx = classifier.ExportOnnx(_dir.File("classifier.onnx")).ModelPath;
        var data = ml.Data.LoadFromEnumerable(Classifiers.Sentences(40, seed: 9).Select(t => new MulticlassRow { Text = t }));
        float[] Scores(bool fixedLength) => [.. ml.Transforms.Text.TokenizeForRoberta(classifier.Tokenizer, "Text", maxLength: 32, fixedLength: fixedLength)
            .Append(ml.Transforms.ApplyOnnxModel(["logits"], IdColumns, onnx, fixedLength ? Shapes32 : null, gpuDeviceId: null, fallbackToCpu: false))
            .Fit(data).Transform(data).GetColumn<float[]>("logits").SelectMany(l => l)];
        TensorAssert.ClosePresent(Scores(fixedLength: false), Scores(fixedLength: true), 1e-5, "logits");
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
