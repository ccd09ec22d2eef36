using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tests.Model;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.TorchSharp.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.TorchSharp.Tests;

/// <summary>The TorchSharp engine reads and writes the files the managed engine does, through the same readers.</summary>
public sealed class CheckpointFormatTests : IDisposable
{
    private static ReferenceFixture Ref => ReferenceFixture.Instance.Value;
    private readonly string _dir = Directory.CreateTempSubdirectory("rzh-ts-save-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [TorchSharpTheory]
    [InlineData("model.safetensors")]
    [InlineData("pytorch_model.bin")]
    [InlineData("pytorch_model_legacy.bin")]
    [InlineData("uer_model.bin")]
    public void EveryCheckpointFormatGivesTheTorchSharpEngineThePyTorchWeightsAndOutputs(string file)
    {
        var config = BertConfig.Load(Path.Combine(Ref.ModelDirectory, "config.json"));
        var model = BertModel.FromStateDict(config, CheckpointReader.Read(Path.Combine(Ref.ModelDirectory, file)), out _, new BertHeads(true, true, 3));
        using var engine = BertEngines.CreateTraining(model, new EngineOptions { Engine = EngineKind.TorchSharp });
        var weights = new float[engine.ParameterCount];
        engine.ExportParameters(weights);
        Assert.Equal(model.Parameters, weights); // bit for bit
        var output = engine.Forward(Ref.Batch());
        TensorAssert.Close(output.LastHiddenState, Ref["last_hidden_state"], 1e-4, $"{file}: last_hidden_state");
        TensorAssert.Close(output.PoolerOutput, Ref["pooler_output"], 1e-4, $"{file}: pooler_output");
    }

    [TorchSharpFact]
    public void SavedWeightsLoadBackUnchangedWithTheVocabulary()
    {
        var model = Ref.LoadModel();
        using var engine = BertEngines.CreateTraining(model, new EngineOptions { Engine = EngineKind.TorchSharp });
        engine.ZeroGradients();
        engine.ForwardBackward(Ref.Batch());
        engine.OptimizerStep(1e-3f, new Training.AdamWOptions());
        engine.Save(_dir, Path.Combine(Ref.ModelDirectory, "vocab.txt"));
        var weights = new float[engine.ParameterCount];
        engine.ExportParameters(weights);
        var loaded = BertModel.Load(_dir, out var report);
        Assert.Equal(weights, loaded.Parameters);
        Assert.NotEqual(model.Parameters, loaded.Parameters); // the engine trained its own copy; the source model is untouched
        Assert.Empty(report.Missing);
        Assert.True(File.Exists(Path.Combine(_dir, "vocab.txt")));
        engine.CopyParametersTo(model);
        Assert.Equal(weights, model.Parameters);
    }
}
