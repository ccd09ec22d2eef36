using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.Export;

/// <summary>
/// <c>transformer.ExportOnnx(path)</c> for classifier and encoder transformers: outputs against the transformer's own
/// model, the class names, task, settings and tokenizer in the metadata, the vocabulary beside the file, refused tasks.
/// </summary>
public sealed class TransformerExportTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AClassifierExportsWithItsClassesSettingsAndTokenizer(bool binary)
    {
        var ml = new MLContext(seed: 1);
        using var classifier = RobertaClassifierTransformer.Load(ml, binary ? Classifiers.BinaryDirectory(_dir.Path) : Classifiers.MulticlassDirectory(_dir.Path));
        var result = classifier.ExportOnnx(_dir.File("out/classifier.onnx"));
        Assert.Equal(OnnxModelTask.Classifier, result.Task);
        Assert.Equal(["last_hidden_state", "pooler_output", "logits", "probabilities"], result.Outputs);
        Assert.Equal(_dir.File("out/vocab.txt"), result.VocabularyPath);
        Assert.Equal(classifier.Tokenizer.Vocabulary.Tokens, Vocabulary.Load(result.VocabularyPath!).Tokens);

        using var session = OnnxBertSession.Load(result.ModelPath);
        var info = session.Info;
        Assert.Equal(classifier.Classes, info.Labels);
        Assert.Equal(binary ? "binary" : "multiclass", info.Metadata["classification"]);
        Assert.Equal(32, info.TokenizerOptions!.ModelMaxLength);
        Assert.Equal(classifier.Tokenizer.Options with { ModelMaxLength = 32 }, info.TokenizerOptions with { NeverSplit = classifier.Tokenizer.Options.NeverSplit });
        Assert.True(info.Config!.ExtensionData!.ContainsKey("roberta_zh_classifier"));
        Assert.Equal(classifier.Classes, info.Config.Id2Label!.OrderBy(p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(p => p.Value));

        // The transformer's model is unchanged by the export (its config is copied, not edited).
        Assert.False(classifier.Model.Config.ExtensionData?.ContainsKey("classification") ?? false);
        var sentences = Classifiers.Sentences(6, seed: 1);
        var encodings = sentences.Select(s => classifier.Tokenizer.Encode(s, options: new EncodeOptions { MaxLength = 32 })).ToList();
        var batch = BertBatch.Pad([.. encodings.Select(e => e.Ids)]);
        TensorAssert.ClosePresent(session.Forward(batch).Logits, classifier.Model.Forward(batch).Logits, 1e-4, "logits");
        var predictions = classifier.Predict(sentences);
        var scores = classifier.Model.Forward(batch).Logits!;
        for (int i = 0; i < sentences.Count; i++)
        {
            int k = classifier.Classes.Count;
            int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(scores.AsSpan(i * k, k));
            Assert.Equal(predictions[i].PredictedLabel, info.Labels[best]);
        }
    }

    [Fact]
    public void ASavedClassifierDirectoryExportsAsTheTransformerDoes()
    {
        var ml = new MLContext(seed: 1);
        using var classifier = RobertaClassifierTransformer.Load(ml, Classifiers.BinaryDirectory(_dir.Path));
        classifier.Save(_dir.File("saved"));
        using var fromTransformer = OnnxBertSession.Load(classifier.ExportOnnx(_dir.File("a/model.onnx")).ModelPath);
        using var fromDirectory = OnnxBertSession.Load(OnnxExporter.Export(_dir.File("saved"), _dir.File("b/model.onnx")).ModelPath);
        Assert.Equal(OnnxModelTask.Classifier, fromDirectory.Info.Task);
        Assert.Equal(fromTransformer.Info.Labels, fromDirectory.Info.Labels);
        Assert.Equal("binary", fromDirectory.Info.Metadata["classification"]);
        Assert.Equal(fromTransformer.Info.TokenizerOptions, fromDirectory.Info.TokenizerOptions! with { NeverSplit = fromTransformer.Info.TokenizerOptions!.NeverSplit });
        var batch = Batches.MixedLengths();
        Assert.Equal(fromTransformer.Forward(batch).Logits, fromDirectory.Forward(batch).Logits);
    }

    [Fact]
    public void AClassifierExportsAsItsEncoderButNotForFillMask()
    {
        var ml = new MLContext(seed: 1);
        using var classifier = RobertaClassifierTransformer.Load(ml, Classifiers.MulticlassDirectory(_dir.Path));
        var encoder = classifier.ExportOnnx(_dir.File("encoder.onnx"), new OnnxExportOptions { Task = OnnxModelTask.Encoder });
        Assert.Equal(["last_hidden_state", "pooler_output"], encoder.Outputs);
        var e = Assert.Throws<InvalidDataException>(() => classifier.ExportOnnx(_dir.File("mlm.onnx"), new OnnxExportOptions { Task = OnnxModelTask.FillMask }));
        Assert.Contains("no masked-LM head", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEncoderExportsItsHiddenStatesOrItsMaskedLmHeadWithItsPooling()
    {
        var tokenizer = new BertTokenizer(new Vocabulary(ModelDirectories.VocabularyWithSpecialTokens()));
        var transformer = new RobertaEncoderTransformer(BertModel.Load(Fixtures.Path("model")), tokenizer).WithColumns("Embedding", "Review", EmbeddingPooling.Mean);
        var encoder = transformer.ExportOnnx(_dir.File("encoder/model.onnx"));
        Assert.Equal(OnnxModelTask.Encoder, encoder.Task);
        using (var session = OnnxBertSession.Load(encoder.ModelPath))
        {
            Assert.Equal("mean", session.Info.Metadata["pooling"]);
            Assert.True(session.Info.Config!.ExtensionData!.ContainsKey("roberta_zh_encoder"));
            Assert.Equal(32, session.Info.TokenizerOptions!.ModelMaxLength); // the setting's 128, within the 32 positions
        }

        var fillMask = transformer.ExportOnnx(_dir.File("mlm/model.onnx"), new OnnxExportOptions { Task = OnnxModelTask.FillMask, Opset = 14 });
        using var mlm = OnnxBertSession.Load(fillMask.ModelPath);
        var batch = Batches.MixedLengths();
        TensorAssert.ClosePresent(mlm.Forward(batch, maskedLmLogProbabilities: true).MaskedLmLogProbabilities,
            transformer.Model.Forward(batch, maskedLmLogProbabilities: true).MaskedLmLogProbabilities, 1e-4, "mlm_log_probs");
        var e = Assert.Throws<InvalidDataException>(() => transformer.ExportOnnx(_dir.File("x.onnx"), new OnnxExportOptions { Task = OnnxModelTask.Classifier }));
        Assert.Contains("no classification head", e.Message, StringComparison.Ordinal);
    }
}
