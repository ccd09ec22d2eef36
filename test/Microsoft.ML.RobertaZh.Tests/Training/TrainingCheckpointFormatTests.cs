using System.Text.Json.Nodes;
using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tests.Engines;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.Training;

/// <summary>The engine-neutral checkpoint: moments per named tensor; checkpoints from before the engines still restore.</summary>
public sealed class TrainingCheckpointFormatTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rzh-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static BertModel NewModel() => BertModel.Create(ManagedEngineTests.TinyConfig(), new BertHeads(true, true, 3), seed: 1);

    private static TrainingOptions Options(string dir) => new()
    {
        TotalSteps = 3, LearningRate = 1e-3f, WarmupSteps = 1, SaveEverySteps = 0, OutputDirectory = dir, Seed = 5,
    };

    private static SyntheticBatches Data() => new(40, batch: 2, seqLen: 8, seed: 9, numLabels: 3);

    [Fact]
    public void MomentsAreStoredPerNamedTensorWithTheStepAndTheWritingEngine()
    {
        string dir = Path.Combine(_root, "run");
        var loop = new TrainingLoop(NewModel(), Data(), Options(dir));
        loop.Run();
        string checkpoint = Path.Combine(TrainingCheckpoint.Folder(dir), "step-00000003");
        var file = SafeTensorsReader.Read(Path.Combine(checkpoint, "optimizer.safetensors"));
        var layout = loop.Engine.Layout;
        Assert.Equal(2 * layout.Slices.Count, file.Count);
        var state = loop.Engine.ExportOptimizerState();
        foreach (var slice in layout.Slices)
        {
            Assert.Equal(slice.Shape, file["exp_avg." + slice.Name].Shape);
            Assert.True(file["exp_avg." + slice.Name].Data.AsSpan().SequenceEqual(slice.Of(state.FirstMoment)), slice.Name);
            Assert.True(file["exp_avg_sq." + slice.Name].Data.AsSpan().SequenceEqual(slice.Of(state.SecondMoment)), slice.Name);
        }
        Assert.Equal("3", file.Metadata["step"]);
        Assert.Equal("Managed", file.Metadata["engine"]);
        Assert.Equal("Managed", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "trainer_state.json")))!["engine"]);
    }

    [Fact]
    public void ACheckpointWithTheOlderFlatMomentsStillRestores()
    {
        string dir = Path.Combine(_root, "old");
        var loop = new TrainingLoop(NewModel(), Data(), Options(dir));
        loop.Run();
        var expected = loop.Engine.ExportOptimizerState();
        var weights = new float[loop.Engine.ParameterCount];
        loop.Engine.ExportParameters(weights);

        // Rewrite optimizer.safetensors as versions before the engines did: two flat tensors in layout order.
        string checkpoint = Path.Combine(TrainingCheckpoint.Folder(dir), "step-00000003");
        SafeTensorsWriter.Write(Path.Combine(checkpoint, "optimizer.safetensors"),
        [
            new("exp_avg", ([expected.FirstMoment.Length], expected.FirstMoment)),
            new("exp_avg_sq", ([expected.SecondMoment.Length], expected.SecondMoment)),
        ], new Dictionary<string, string> { ["step"] = "3" });
        var stateJson = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "trainer_state.json")))!.AsObject();
        stateJson.Remove("engine");
        File.WriteAllText(Path.Combine(checkpoint, "trainer_state.json"), stateJson.ToJsonString());

        using var engine = new ManagedEngine(NewModel());
        var state = TrainingCheckpoint.Restore(checkpoint, engine);
        Assert.Equal(3, state.Step);
        Assert.Null(state.Engine);
        var restored = engine.ExportOptimizerState();
        Assert.Equal(3, restored.Step);
        Assert.Equal(expected.FirstMoment, restored.FirstMoment);
        Assert.Equal(expected.SecondMoment, restored.SecondMoment);
        Assert.Equal(weights, engine.Model.Parameters);
    }

    [Fact]
    public void MomentsOfAnotherModelAreRejectedNamingTheTensor()
    {
        string dir = Path.Combine(_root, "other");
        new TrainingLoop(NewModel(), Data(), Options(dir)).Run();
        string checkpoint = Path.Combine(TrainingCheckpoint.Folder(dir), "step-00000003");
        string optimizer = Path.Combine(checkpoint, "optimizer.safetensors");
        var file = SafeTensorsReader.Read(optimizer);
        SafeTensorsWriter.Write(optimizer, file.Values.Where(t => t.Name != "exp_avg_sq.classifier.bias")
            .Select(t => new KeyValuePair<string, (int[] Shape, ReadOnlyMemory<float> Data)>(t.Name, ([.. t.Shape], t.Data))), file.Metadata);
        using var engine = new ManagedEngine(NewModel());
        var before = (float[])engine.Model.Parameters.Clone();
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Restore(checkpoint, engine));
        Assert.Contains("exp_avg_sq.classifier.bias", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, engine.Model.Parameters); // nothing changed
    }
}
