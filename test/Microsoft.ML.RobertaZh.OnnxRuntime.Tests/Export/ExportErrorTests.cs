using System.Text.Json.Nodes;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.Export;

/// <summary>Model directories that cannot be exported, and bad options: errors that name the file and the problem.</summary>
public sealed class ExportErrorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Output => _dir.File("out/model.onnx");

    [Fact]
    public void MissingConfigOrWeightsNameTheFile()
    {
        string noConfig = ModelDirectories.Copy(_dir.Path, "no-config");
        File.Delete(Path.Combine(noConfig, "config.json"));
        var e1 = Assert.Throws<FileNotFoundException>(() => OnnxExporter.Export(noConfig, Output));
        Assert.Contains("config.json", e1.Message, StringComparison.Ordinal);
        Assert.Contains(noConfig, e1.Message, StringComparison.Ordinal);

        string noWeights = ModelDirectories.Copy(_dir.Path, "no-weights");
        File.Delete(Path.Combine(noWeights, "model.safetensors"));
        var e2 = Assert.Throws<FileNotFoundException>(() => OnnxExporter.Export(noWeights, Output));
        Assert.Contains("model.safetensors", e2.Message, StringComparison.Ordinal);
        Assert.Contains(noWeights, e2.Message, StringComparison.Ordinal);

        Assert.Throws<DirectoryNotFoundException>(() => OnnxExporter.Export(_dir.File("absent"), Output));
        Assert.False(File.Exists(Output));
    }

    [Theory]
    [InlineData("hidden_act", "relu", "hidden_act 'relu' is not supported")]
    [InlineData("hidden_act", "gelu_new", "hidden_act 'gelu_new' is not supported")]
    [InlineData("position_embedding_type", "relative_key", "position_embedding_type \"relative_key\" is not supported")]
    public void UnsupportedArchitecturesAreRefusedNamingTheConfig(string key, string value, string message)
    {
        string dir = ModelDirectories.Copy(_dir.Path, "arch", c => c[key] = value);
        var e = Assert.Throws<InvalidDataException>(() => OnnxExporter.Export(dir, Output));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dir, "config.json"), e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Output));
    }

    [Fact]
    public void AbsolutePositionEmbeddingsAreAccepted()
    {
        string dir = ModelDirectories.Copy(_dir.Path, "absolute", c => c["position_embedding_type"] = "absolute");
        Assert.True(File.Exists(OnnxExporter.Export(dir, Output).ModelPath));
    }

    [Fact]
    public void MissingEncoderWeightsAreRefusedRatherThanExportedRandom()
    {
        string dir = ModelDirectories.Copy(_dir.Path, "partial", dropTensor: n => n.Contains("layer.1.attention.self.query", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => OnnxExporter.Export(dir, Output));
        Assert.Contains("bert.encoder.layer.1.attention.self.query.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains("model.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("random", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TasksWhoseHeadIsMissingAreRefused()
    {
        string noClassifier = ModelDirectories.Copy(_dir.Path, "no-classifier", dropTensor: n => n.StartsWith("classifier.", StringComparison.Ordinal));
        var e1 = Assert.Throws<InvalidDataException>(() => OnnxExporter.Export(noClassifier, Output, new OnnxExportOptions { Task = OnnxModelTask.Classifier }));
        Assert.Contains("no trained classification head", e1.Message, StringComparison.Ordinal);
        // Without a task the same directory (its config still lists labels) exports as an encoder.
        Assert.Equal(OnnxModelTask.Encoder, OnnxExporter.Export(noClassifier, Output).Task);

        string noMlm = ModelDirectories.Copy(_dir.Path, "no-mlm", dropTensor: n => n.StartsWith("cls.", StringComparison.Ordinal));
        var e2 = Assert.Throws<InvalidDataException>(() => OnnxExporter.Export(noMlm, Output, new OnnxExportOptions { Task = OnnxModelTask.FillMask }));
        Assert.Contains("no masked-LM head", e2.Message, StringComparison.Ordinal);

        // UER's miniatures have no pooler: the encoder exports without pooler_output, and says so.
        string noPooler = ModelDirectories.Copy(_dir.Path, "no-pooler", c => c.Remove("id2label"),
            dropTensor: n => n.StartsWith("bert.pooler.", StringComparison.Ordinal) || n.StartsWith("classifier.", StringComparison.Ordinal));
        var result = OnnxExporter.Export(noPooler, Output, new OnnxExportOptions { Task = OnnxModelTask.Encoder });
        Assert.Equal(["last_hidden_state"], result.Outputs);
        Assert.Throws<InvalidDataException>(() => OnnxExporter.Export(noPooler, Output, new OnnxExportOptions { Task = OnnxModelTask.Classifier }));
    }

    [Theory]
    [InlineData(12, null)]
    [InlineData(24, null)]
    [InlineData(17, 0)]
    [InlineData(17, 33)]
    public void OutOfRangeOptionsAreRefused(int opset, int? maxLength)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            OnnxExporter.Export(Fixtures.Path("model"), Output, new OnnxExportOptions { Opset = opset, MaxSequenceLength = maxLength }));
        Assert.Contains(maxLength is null ? "Opset" : "max_position_embeddings", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailedExportLeavesNoPartialFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Output)!);
        File.WriteAllText(Output, "previous export");
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(Fixtures.Path("model"), Output, new OnnxExportOptions { Opset = 99 }));
        Assert.Equal("previous export", File.ReadAllText(Output));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Output)!, "*.tmp"));
    }
}
