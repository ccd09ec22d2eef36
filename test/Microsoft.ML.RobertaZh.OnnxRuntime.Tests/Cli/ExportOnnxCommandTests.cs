using Microsoft.ML.RobertaZh.Cli.Commands;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.Cli;

public sealed class ExportOnnxCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ExportsVerifiesAndWritesTheTokenizerFilesBeside()
    {
        string model = ModelDirectories.Copy(_dir.Path, "model");
        string output = _dir.File("out/model.onnx");
        int code = ExportOnnxCommand.Create().Parse(["--model", model, "--output", output, "--task", "fill-mask", "--opset", "14",
            "--max-sequence-length", "20", "--fused"]).Invoke();
        Assert.Equal(0, code);
        Assert.True(File.Exists(_dir.File("out/vocab.txt")));
        Assert.True(File.Exists(_dir.File("out/tokenizer_config.json")));
        using var session = OnnxBertSession.Load(output);
        Assert.Equal(OnnxModelTask.FillMask, session.Info.Task);
        Assert.Equal(14, session.Info.Opset);
        Assert.Equal(20, session.Info.MaxSequenceLength);
        Assert.True(session.Info.Fused);
    }

    [Fact]
    public void ReportsWhatWasWrittenAndTheVerification()
    {
        using var log = new StringWriter();
        var result = ExportOnnxCommand.Run(Fixtures.Path("model"), _dir.File("classifier.onnx"), new OnnxExportOptions(), verify: true, log);
        string text = log.ToString();
        Assert.Equal(OnnxModelTask.Classifier, result.Task);
        Assert.Contains("classifier, opset 17, sequences up to 32", text, StringComparison.Ordinal);
        Assert.Contains("outputs last_hidden_state, pooler_output, logits", text, StringComparison.Ordinal);
        Assert.Contains("Verified with ONNX Runtime against the managed engine", text, StringComparison.Ordinal);
        Assert.Contains("logits ", text, StringComparison.Ordinal);
        // The fixture's vocabulary has no special tokens: carried along, with a warning.
        Assert.Contains("warning:", text, StringComparison.Ordinal);
        Assert.Contains("[UNK]", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--task", "ner")]
    [InlineData("--opset", "9")]
    [InlineData("--max-sequence-length", "1000")]
    public void BadArgumentsExitWithCode2(string option, string value)
    {
        string output = _dir.File("bad.onnx");
        int code = ExportOnnxCommand.Create().Parse(["--model", Fixtures.Path("model"), "--output", output, option, value, "--no-verify"]).Invoke();
        Assert.Equal(2, code);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void AnUnexportableDirectoryExitsWithCode2()
    {
        string model = ModelDirectories.Copy(_dir.Path, "relu", c => c["hidden_act"] = "relu");
        Assert.Equal(2, ExportOnnxCommand.Create().Parse(["--model", model, "--output", _dir.File("x.onnx")]).Invoke());
        Assert.Equal(2, ExportOnnxCommand.Create().Parse(["--model", _dir.File("absent"), "--output", _dir.File("x.onnx")]).Invoke());
    }
}
