using Microsoft.ML;
using Microsoft.ML.RobertaZh.Cli.Commands;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.MlNet;

/// <summary>
/// <c>Engine = OnnxRuntime</c> for the inference-only uses of the ML.NET API: a classifier loaded onto ONNX Runtime, the
/// embedding estimator, fill-mask, a whole-pipeline zip and the predict command give the managed engine's results
/// (within 1e-4) on the fixture model.
/// </summary>
public sealed class InferenceEngineOptionTests : IDisposable
{
    private static readonly RobertaInferenceOptions Onnx = new() { Engine = EngineKind.OnnxRuntime };
    private readonly TempDirectory _dir = new();
    private readonly MLContext _ml = new(seed: 1);

    public void Dispose() => _dir.Dispose();

    /// <summary>The fixture model with a vocabulary of [PAD] [UNK] [CLS] [SEP] [MASK] tok5 … tok119, whose words a text can spell.</summary>
    private string Model(string name)
    {
        string dir = ModelDirectories.Copy(_dir.Path, name, vocabulary: false);
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Enumerable.Range(5, 115).Select(i => $"tok{i}")]);
        return dir;
    }

    /// <summary>Texts of 1–20 words (at most 22 tokens with [CLS] and [SEP]: the fixture has 32 positions).</summary>
    private static List<string> Texts(int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => string.Join(' ', Enumerable.Range(0, rng.Next(1, 21)).Select(_ => $"tok{rng.Next(5, 120)}")))];
    }

    private IDataView View(IEnumerable<string> texts) => _ml.Data.LoadFromEnumerable(texts.Select(t => new Row { Sentence1 = t, Text = t }).ToList());

    private float[] Scores(ITransformer model, IDataView view) =>
        [.. _ml.Data.CreateEnumerable<Scored>(model.Transform(view), reuseRowObject: false).SelectMany(r => r.Score)];

    [Fact]
    public void AClassifierLoadedOntoOnnxRuntimeScoresAsTheManagedEngine()
    {
        string dir = Model("classifier");
        var view = View(Texts(24, 1));
        using var managed = RobertaClassifierTransformer.Load(_ml, dir);
        using var onnx = RobertaClassifierTransformer.Load(_ml, dir, Onnx);
        Assert.Equal((EngineKind.OnnxRuntime, "cpu"), (onnx.Engine, onnx.Device));
        TensorAssert.ClosePresent(Scores(onnx, view), Scores(managed, view), 1e-4, "class probabilities");

        var engine = _ml.Model.CreatePredictionEngine<Row, Scored>(onnx);
        Assert.Equal(onnx.Predict("tok7 tok8").Probabilities, engine.Predict(new Row { Sentence1 = "tok7 tok8" }).Score);

        using var managedOutput = new StringWriter();
        using var onnxOutput = new StringWriter();
        var texts = Texts(10, 2).Select(t => (t, (string?)null)).ToList();
        PredictCommand.Run(_ml, managed, texts, managedOutput);
        PredictCommand.Run(_ml, onnx, texts, onnxOutput);
        Assert.Equal(Labels(managedOutput.ToString()), Labels(onnxOutput.ToString()));

        static string[] Labels(string jsonLines) =>
            [.. jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("label").GetString()!)];
    }

    [Fact]
    public void EmbeddingsFillMaskAndPipelinesRunOnOnnxRuntime()
    {
        string dir = Model("encoder");
        var view = View(Texts(16, 3));
        float[] Embed(EngineKind engine)
        {
            using var t = _ml.Transforms.Text.RobertaEmbedding(new RobertaEmbeddingOptions { ModelPath = dir, Engine = engine, Pooling = EmbeddingPooling.Mean, BatchSize = 5 }).Fit(view);
            Assert.Equal(engine, t.Engine);
            return [.. _ml.Data.CreateEnumerable<Embedded>(t.Transform(view), reuseRowObject: false).SelectMany(r => r.Features)];
        }

        TensorAssert.ClosePresent(Embed(EngineKind.OnnxRuntime), Embed(EngineKind.Managed), 1e-4, "mean-pooled embeddings");

        using var managed = RobertaEncoderTransformer.Load(dir);
        using var onnx = RobertaEncoderTransformer.Load(dir, Onnx);
        var expected = managed.FillMask("tok10 [MASK] tok12", topK: 3).Single();
        var actual = onnx.FillMask("tok10 [MASK] tok12", topK: 3).Single();
        Assert.Equal(expected.Select(r => r.Token), actual.Select(r => r.Token));
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i].Score, actual[i].Score, 1e-4);

        string zip = _dir.File("pipeline.zip");
        using (var classifier = RobertaClassifierTransformer.Load(_ml, dir))
            _ml.Model.SaveWithRoberta(classifier, view.Schema, zip);
        using var reference = _ml.Model.LoadWithRoberta(zip, out _);
        using var onOnnx = _ml.Model.LoadWithRoberta(zip, out _, Onnx);
        Assert.Equal(EngineKind.OnnxRuntime, onOnnx.OfType<RobertaClassifierTransformer>().Single().Engine);
        TensorAssert.ClosePresent(Scores(onOnnx, view), Scores(reference, view), 1e-4, "pipeline scores");
    }

    [Fact]
    public void TrainingOnOnnxRuntimeIsRefusedWithTheWayToScoreOnIt()
    {
        string dir = Model("start");
        var e = Assert.Throws<NotSupportedException>(() => _ml.MulticlassClassification.Trainers.RobertaClassifier(new RobertaClassifierOptions
        {
            ModelPath = dir, Engine = EngineKind.OnnxRuntime,
        }).Fit(_ml.Data.LoadFromEnumerable(new List<Row>())));
        Assert.Contains("runs inference only", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A text row for the classifier (Sentence1) and the encoder (Text).</summary>
    public sealed class Row
    {
        public string Sentence1 { get; set; } = "";

        public string Text { get; set; } = "";
    }

    /// <summary>The multiclass Score vector.</summary>
    public sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }

    /// <summary>The embedding column.</summary>
    public sealed class Embedded
    {
        public float[] Features { get; set; } = [];
    }
}
