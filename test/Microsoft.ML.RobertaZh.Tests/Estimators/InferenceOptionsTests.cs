using System.Text.Json;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tests.Data;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

/// <summary>
/// The transformers' inference options on the managed engine: dynamic int8 within the tolerances issue #10 states (same
/// predicted classes), packing (the default) bit for bit the one-row computation whatever the batch and within 1e-5 of
/// the padded one, both saved with the model and overridable at load, and the default path bit for bit the model's own
/// forward pass. The classifier is the PyTorch fixture model (3 classes,
/// hidden 64, 2 layers) with a vocabulary whose first ids are named as BERT's special tokens.
/// </summary>
public sealed class InferenceOptionsTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly MLContext _ml = new(seed: 1);

    public void Dispose() => _files.Dispose();

    /// <summary>The fixture's config and weights with a vocab.txt of [PAD] [UNK] [CLS] [SEP] [MASK] tok5 … tok119.</summary>
    internal static string FixtureClassifier(string root)
    {
        string dir = Path.Combine(root, "fixture-classifier");
        Directory.CreateDirectory(dir);
        foreach (string file in new[] { "config.json", "model.safetensors" })
            File.Copy(Fixtures.Path(Path.Combine("model", file)), Path.Combine(dir, file));
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. Enumerable.Range(5, 115).Select(i => $"tok{i}")]);
        return dir;
    }

    /// <summary>Texts of 2–24 fixture tokens (deterministic).</summary>
    internal static List<string> Texts(int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => string.Join(' ', Enumerable.Range(0, rng.Next(2, 25)).Select(_ => $"tok{rng.Next(5, 120)}")))];
    }

    private IDataView View(IEnumerable<string> texts) => _ml.Data.LoadFromEnumerable(texts.Select(t => new Sentence { Sentence1 = t }).ToList());

    private float[][] Scores(RobertaClassifierTransformer classifier, IEnumerable<string> texts) =>
        [.. _ml.Data.CreateEnumerable<Scored>(classifier.Transform(View(texts)), reuseRowObject: false).Select(r => r.Score)];

    [Fact]
    public void TheDefaultClassifierPathIsTheModelsOwnForwardBitForBit()
    {
        string dir = FixtureClassifier(_files.Root);
        using var classifier = RobertaClassifierTransformer.Load(_ml, dir);
        Assert.Equal((EngineKind.Managed, "cpu", InferencePrecision.FullPrecision, true),
            (classifier.Engine, classifier.Device, classifier.InferencePrecision, classifier.PackPaddedSequences));
        var model = BertModel.Load(dir);
        var texts = Texts(40, 3);
        var batched = Scores(classifier, texts); // batches of 32 rows of mixed lengths
        for (int i = 0; i < texts.Count; i++)
        {
            var ids = classifier.Tokenizer.Encode(texts[i]).Ids.ToArray();
            var alone = ClassifierPredictor.Softmax(model.Forward(new BertBatch(1, ids.Length, ids)).Logits!);
            Assert.Equal(alone, classifier.Predict(texts[i]).Probabilities);
            Assert.Equal(alone, batched[i]); // packed: bit for bit the row alone, whatever its batch
        }
    }

    [Fact]
    public void APlainHuggingFaceClassifierTruncatesToItsPositions()
    {
        // The fixture's config.json has no roberta_zh_classifier settings and 32 positions: the default length of 128 would overflow.
        using var classifier = RobertaClassifierTransformer.Load(_ml, FixtureClassifier(_files.Root));
        string longText = string.Join(' ', Enumerable.Range(5, 60).Select(i => $"tok{i}"));
        string truncated = string.Join(' ', Enumerable.Range(5, 30).Select(i => $"tok{i}"));
        Assert.Equal(classifier.Predict(truncated).Probabilities, classifier.Predict(longText).Probabilities);
    }

    [Fact]
    public void Int8GivesTheSamePredictedClassesAsFullPrecisionWithinTheStatedTolerance()
    {
        string dir = FixtureClassifier(_files.Root);
        var texts = Texts(48, 5);
        using var full = RobertaClassifierTransformer.Load(_ml, dir);
        using var int8 = RobertaClassifierTransformer.Load(_ml, dir, new RobertaInferenceOptions { InferencePrecision = InferencePrecision.DynamicInt8 });
        Assert.Equal(InferencePrecision.DynamicInt8, int8.InferencePrecision);
        var expected = Scores(full, texts);
        var actual = Scores(int8, texts);
        // Issue #10's stated tolerance on this fixture model: logits within 5% relative RMS, the same predicted class.
        double error = RelativeRms(actual.SelectMany(p => p).ToArray(), expected.SelectMany(p => p).ToArray());
        Assert.True(error > 0, "the int8 path must actually quantize");
        Assert.True(error <= 0.05, $"probabilities differ by {error:P2} relative RMS");
        for (int i = 0; i < texts.Count; i++)
            Assert.Equal(ClassifierScorer.ArgMax(expected[i], 3), ClassifierScorer.ArgMax(actual[i], 3));
        Assert.Equal(texts.Select(t => full.Predict(t).PredictedLabel), texts.Select(t => int8.Predict(t).PredictedLabel));
    }

    [Fact]
    public void PackingStaysWithin1e5OfThePaddedComputation()
    {
        string dir = FixtureClassifier(_files.Root);
        var texts = Texts(40, 7);
        using var padded = RobertaClassifierTransformer.Load(_ml, dir, new RobertaInferenceOptions { PackPaddedSequences = false });
        using var packed = RobertaClassifierTransformer.Load(_ml, dir);
        Assert.True(packed.PackPaddedSequences);
        Assert.False(padded.PackPaddedSequences);
        TensorAssert.Close(Scores(packed, texts).SelectMany(p => p).ToArray(), Scores(padded, texts).SelectMany(p => p).ToArray(), 1e-5, "class probabilities");

        using var encoder = RobertaEncoderTransformer.Load(dir, new RobertaInferenceOptions { PackPaddedSequences = false });
        using var packedEncoder = RobertaEncoderTransformer.Load(dir);
        Assert.True(packedEncoder.PackPaddedSequences);
        TensorAssert.Close(packedEncoder.Embed(texts, EmbeddingPooling.Mean).SelectMany(v => v).ToArray(), encoder.Embed(texts, EmbeddingPooling.Mean).SelectMany(v => v).ToArray(),
            1e-5, "mean-pooled embeddings");
    }

    [Fact]
    public void PrecisionAndPackingAreSavedWithTheModelAndOverridableAtLoad()
    {
        string dir = FixtureClassifier(_files.Root);
        var texts = Texts(12, 9);
        string saved = Path.Combine(_files.Root, "int8");
        using (var int8 = RobertaClassifierTransformer.Load(_ml, dir, new RobertaInferenceOptions { InferencePrecision = InferencePrecision.DynamicInt8, PackPaddedSequences = false }))
            int8.Save(saved);
        var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(saved, "config.json"))).RootElement.GetProperty("roberta_zh_classifier");
        Assert.Equal("dynamic_int8", settings.GetProperty("inference_precision").GetString());
        Assert.False(settings.GetProperty("pack_padded_sequences").GetBoolean());

        using var reloaded = RobertaClassifierTransformer.Load(_ml, saved);
        Assert.Equal((InferencePrecision.DynamicInt8, false), (reloaded.InferencePrecision, reloaded.PackPaddedSequences));
        using var overridden = RobertaClassifierTransformer.Load(_ml, saved, new RobertaInferenceOptions { InferencePrecision = InferencePrecision.FullPrecision, PackPaddedSequences = true });
        using var original = RobertaClassifierTransformer.Load(_ml, dir);
        Assert.Equal(Scores(original, texts), Scores(overridden, texts));
        Assert.NotEqual(Scores(original, texts), Scores(reloaded, texts));

        // The whole-pipeline zip keeps them too, and LoadWithRoberta takes the same overrides.
        string zip = Path.Combine(_files.Root, "pipeline.zip");
        _ml.Model.SaveWithRoberta(reloaded, View(texts).Schema, zip);
        using (var chain = _ml.Model.LoadWithRoberta(zip, out _))
            Assert.Equal(InferencePrecision.DynamicInt8, PrecisionOf(chain));
        using (var chain = _ml.Model.LoadWithRoberta(zip, out _, new RobertaInferenceOptions { InferencePrecision = InferencePrecision.FullPrecision }))
            Assert.Equal(InferencePrecision.FullPrecision, PrecisionOf(chain));

        static InferencePrecision PrecisionOf(TransformerChain<ITransformer> chain) => chain.OfType<RobertaClassifierTransformer>().Single().InferencePrecision;
    }

    [Fact]
    public void EmbeddingOptionsReachTheEncoderTransformer()
    {
        string dir = FixtureClassifier(_files.Root);
        var texts = Texts(10, 11);
        var view = _ml.Data.LoadFromEnumerable(texts.Select(t => new TextOnly { Text = t }).ToList());
        using var full = _ml.Transforms.Text.RobertaEmbedding(modelPath: dir).Fit(view);
        using var int8 = _ml.Transforms.Text.RobertaEmbedding(new RobertaEmbeddingOptions { ModelPath = dir, InferencePrecision = InferencePrecision.DynamicInt8, Device = "cpu" }).Fit(view);
        Assert.Equal((EngineKind.Managed, "cpu", InferencePrecision.DynamicInt8), (int8.Engine, int8.Device, int8.InferencePrecision));
        var a = Features(full.Transform(view));
        var b = Features(int8.Transform(view));
        double error = RelativeRms(b, a);
        Assert.True(error is > 0 and <= 0.03, $"int8 [CLS] embeddings differ by {error:P2} relative RMS (issue #10 states 3% for hidden states)");

        float[] Features(IDataView scored) => [.. _ml.Data.CreateEnumerable<Embedded>(scored, reuseRowObject: false).SelectMany(r => r.Features)];
    }

    [Fact]
    public void TransformersOwnTheirEngineAndFreeItWithTheChain()
    {
        string dir = FixtureClassifier(_files.Root);
        var texts = Texts(4, 13);
        var classifier = RobertaClassifierTransformer.Load(_ml, dir);
        var scored = classifier.Transform(View(texts)); // lazy: nothing has run yet
        var chain = new TransformerChain<ITransformer>(classifier);
        Assert.IsAssignableFrom<IDisposable>(chain);
        ((IDisposable)chain).Dispose();
        Assert.Throws<ObjectDisposedException>(() => classifier.Transform(View(texts)));
        Assert.Throws<ObjectDisposedException>(() => classifier.Predict(texts[0]));
        Assert.Throws<ObjectDisposedException>(() => _ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).ToList());

        var encoder = RobertaEncoderTransformer.Load(dir);
        var other = encoder.WithColumns("Vector", "Text");
        encoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.Embed(texts));
        Assert.Equal(4, other.Embed(texts).Length); // its own engine
        other.Dispose();
    }

    /// <summary>Two inference engines over one model keep their own buffers and settings and leave the model's alone.</summary>
    [Fact]
    public void ManagedInferenceEnginesAreViewsOfTheModel()
    {
        var model = BertModel.Load(FixtureClassifier(_files.Root));
        var batch = new BertBatch(2, 6, [2, 10, 11, 12, 3, 0, 2, 20, 21, 22, 23, 3], attentionMask: [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]);
        using var full = BertEngines.CreateInference(model);
        using var int8 = BertEngines.CreateInference(model, new EngineOptions { InferencePrecision = InferencePrecision.DynamicInt8 });
        Assert.Equal(InferencePrecision.FullPrecision, model.InferencePrecision);
        var reference = model.Forward(batch).LastHiddenState;
        Assert.Equal(reference, full.Forward(batch).LastHiddenState);
        Assert.NotEqual(reference, int8.Forward(batch).LastHiddenState);
        Assert.Equal(reference, full.Forward(batch).LastHiddenState);
        model.Parameters[model.Layout["bert.embeddings.word_embeddings.weight"].Offset + 10 * 64] += 1f; // the weights are shared, not copied
        Assert.NotEqual(reference, full.Forward(batch).LastHiddenState);
    }

    private static double RelativeRms(float[] actual, float[] expected)
    {
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            num += (actual[i] - (double)expected[i]) * (actual[i] - (double)expected[i]);
            den += expected[i] * (double)expected[i];
        }

        return Math.Sqrt(num / Math.Max(den, 1e-30));
    }

    private sealed class Sentence
    {
        public string Sentence1 { get; set; } = "";
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }

    private sealed class Embedded
    {
        public float[] Features { get; set; } = [];
    }
}
