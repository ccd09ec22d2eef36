using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.Metadata;

/// <summary>Class names, tokenizer settings and limits travel in the ONNX file and come back through the session.</summary>
public sealed class MetadataRoundTripTests : IDisposable
{
    private const string TokenizerConfig = """
        {"do_lower_case": false, "strip_accents": true, "tokenize_chinese_chars": true, "clean_text": false,
         "never_split": ["词110"], "model_max_length": 24, "unk_token": {"content": "[UNK]"}}
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void LabelsTokenizerSettingsAndLimitsRoundTrip()
    {
        string model = ModelDirectories.Copy(_dir.Path, "model", tokenizerConfig: TokenizerConfig);
        var result = OnnxExporter.Export(model, _dir.File("onnx/classifier.onnx"), new OnnxExportOptions { MaxSequenceLength = 30 });
        Assert.Equal(OnnxModelTask.Classifier, result.Task);
        Assert.Empty(result.Warnings);

        using var session = OnnxBertSession.Load(result.ModelPath);
        var info = session.Info;
        Assert.Equal(result.ModelPath, info.ModelPath);
        Assert.Equal("Microsoft.ML.RobertaZh", info.Producer);
        Assert.Equal(OnnxModelTask.Classifier, info.Task);
        Assert.Equal(["negative", "neutral", "positive"], info.Labels);
        Assert.Equal(30, info.MaxSequenceLength);
        Assert.Equal(17, info.Opset);
        Assert.False(info.Fused);
        Assert.True(info.HasPooler);
        Assert.True(info.HasTokenTypeIds);
        Assert.Equal(64, info.HiddenSize);
        Assert.Equal(64, info.Config!.HiddenSize);
        Assert.Equal("positive", info.Config.Id2Label!["2"]);
        Assert.Equal(BertConfig.Load(Path.Combine(model, "config.json")).ToJson(), info.Config.ToJson());

        AssertSettings(info.TokenizerOptions!);
        // The same settings beside the file, where BertTokenizer.Load finds them next to the vocabulary.
        Assert.Equal(File.ReadAllLines(Path.Combine(model, "vocab.txt")), File.ReadAllLines(result.VocabularyPath!));
        var tokenizer = BertTokenizer.Load(result.VocabularyPath!);
        AssertSettings(tokenizer.Options);
        Assert.Equal(Path.Combine(_dir.Path, "onnx", "tokenizer_config.json"), result.TokenizerConfigPath);

        // The session's tokenizer: the vocabulary beside the file with the metadata's settings, even when the
        // tokenizer_config.json beside it is gone.
        File.Delete(result.TokenizerConfigPath!);
        var fromSession = session.CreateTokenizer();
        AssertSettings(fromSession.Options);
        Assert.Equal(tokenizer.Encode("词110 ABC词105").Ids, fromSession.Encode("词110 ABC词105").Ids);
        File.Delete(result.VocabularyPath!);
        Assert.Throws<FileNotFoundException>(() => session.CreateTokenizer());
    }

    private static void AssertSettings(BertTokenizerOptions o)
    {
        Assert.False(o.LowerCase);
        Assert.True(o.StripAccents);
        Assert.False(o.CleanText);
        Assert.True(o.TokenizeChineseChars);
        Assert.Equal(["词110"], o.NeverSplit);
        Assert.Equal(24, o.ModelMaxLength); // the tokenizer's own limit is kept, not replaced by the graph's
        Assert.Equal("[UNK]", o.UnknownToken);
    }

    [Fact]
    public void DefaultTokenizerSettingsAreRecordedWhenTheDirectoryHasNone()
    {
        string model = ModelDirectories.Copy(_dir.Path, "model");
        var result = OnnxExporter.Export(model, _dir.File("encoder.onnx"), new OnnxExportOptions { Task = OnnxModelTask.Encoder });
        using var session = OnnxBertSession.Load(result.ModelPath);
        var o = session.Info.TokenizerOptions!;
        Assert.True(o.LowerCase);
        Assert.Null(o.StripAccents);
        Assert.Equal(32, o.ModelMaxLength);
        Assert.Empty(session.Info.Labels);
        Assert.Equal(OnnxModelTask.Encoder, session.Info.Task);
    }

    [Fact]
    public void TheLibraryExportOfALoadedModelCarriesItsTokenizer()
    {
        string model = ModelDirectories.Copy(_dir.Path, "model", tokenizerConfig: TokenizerConfig);
        var bert = BertModel.Load(model);
        var tokenizer = BertTokenizer.Load(Path.Combine(model, "vocab.txt"));
        var result = OnnxExporter.Export(bert, _dir.File("out/mlm.onnx"), new OnnxExportOptions { Task = OnnxModelTask.FillMask }, tokenizer);
        using var session = OnnxBertSession.Load(result.ModelPath);
        Assert.Equal(OnnxModelTask.FillMask, session.Info.Task);
        Assert.False(session.Info.HasPooler);
        AssertSettings(session.Info.TokenizerOptions!);
        Assert.True(File.Exists(result.VocabularyPath));

        // Fill-mask end to end: the [MASK] position's log-probabilities equal the managed engine's.
        var encoding = tokenizer.Encode("词105词106");
        int[] ids = [.. encoding.Ids];
        ids[1] = tokenizer.Vocabulary.GetId("[MASK]")!.Value;
        var batch = BertBatch.Pad([ids]);
        var expected = bert.Forward(batch, maskedLmLogProbabilities: true).MaskedLmLogProbabilities!;
        var actual = session.Forward(batch, maskedLmLogProbabilities: true).MaskedLmLogProbabilities!;
        TensorAssert.ClosePresent(actual[120..240], expected[120..240], 1e-4, "[MASK] row");
    }

    [Fact]
    public void ExportingIntoTheModelDirectoryKeepsItsOwnTokenizerFiles()
    {
        string model = ModelDirectories.Copy(_dir.Path, "model", tokenizerConfig: TokenizerConfig);
        var result = OnnxExporter.Export(model, Path.Combine(model, "model.onnx"));
        Assert.Equal(TokenizerConfig, File.ReadAllText(Path.Combine(model, "tokenizer_config.json")));
        Assert.Equal(Path.Combine(model, "vocab.txt"), result.VocabularyPath);
        using var session = OnnxBertSession.Load(result.ModelPath);
        AssertSettings(session.Info.TokenizerOptions!);
    }
}
