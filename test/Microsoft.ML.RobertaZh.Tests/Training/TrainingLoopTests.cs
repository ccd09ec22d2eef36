using System.Text.Json.Nodes;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.Training;

public sealed class TrainingLoopTests : IDisposable
{
    private static readonly BertConfig Config = new()
    {
        VocabSize = 40, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 16,
        HiddenDropoutProb = 0.1f, AttentionProbsDropoutProb = 0.1f,
    };

    private readonly string _root = Path.Combine(Path.GetTempPath(), "rzh-loop-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        TrainingCheckpoint.BeforeCommit = null;
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static BertModel NewModel() => BertModel.Create(Config, new BertHeads(true, true, 3), seed: 1);

    private static TrainingOptions Options(string? dir, long steps = 6) => new()
    {
        TotalSteps = steps, GradientAccumulationSteps = 2, LearningRate = 1e-3f, WarmupSteps = 2, SaveEverySteps = 2,
        OutputDirectory = dir, Seed = 5, KeepCheckpoints = 2,
    };

    private static SyntheticBatches Data() => new(40, batch: 3, seqLen: 10, seed: 9, numLabels: 3);

    [Fact]
    public void StopAndResumeEndsWithExactlyTheWeightsOfAStraightRun()
    {
        var straight = NewModel();
        new TrainingLoop(straight, Data(), Options(Path.Combine(_root, "straight"))).Run();

        string dir = Path.Combine(_root, "resumed");
        using (var cancel = new CancellationTokenSource())
        {
            var first = NewModel();
            var loop = new TrainingLoop(first, Data(), Options(dir))
            {
                Progress = new Inline(p => { if (p.Step == 3) cancel.Cancel(); }),
            };
            var stopped = loop.Run(cancel.Token);
            Assert.Equal(3, stopped.Step); // stopped between the step-2 and step-4 checkpoints; the stop itself saves
        }
        var second = NewModel(); // a fresh process: new weights, new optimizer, new data source
        var resumed = new TrainingLoop(second, Data(), Options(dir));
        Assert.True(resumed.Resumed);
        Assert.Equal(3, resumed.State.Step);
        resumed.Run();
        Assert.Equal(straight.Parameters, second.Parameters);
    }

    [Fact]
    public void AnInterruptedCheckpointLeavesThePreviousOneLoadable()
    {
        string dir = Path.Combine(_root, "crash");
        var model = NewModel();
        var loop = new TrainingLoop(model, Data(), Options(dir, steps: 4));
        TrainingCheckpoint.BeforeCommit = temp => { if (temp.Contains("step-00000004", StringComparison.Ordinal)) throw new IOException("disk full (simulated)"); };
        Assert.Throws<IOException>(() => loop.Run());
        TrainingCheckpoint.BeforeCommit = null;

        Assert.Equal("step-00000002", File.ReadAllText(Path.Combine(TrainingCheckpoint.Folder(dir), "latest")).Trim());
        Assert.Empty(Directory.GetDirectories(TrainingCheckpoint.Folder(dir), ".*")); // temporary directory cleaned up
        var again = new TrainingLoop(NewModel(), Data(), Options(dir, steps: 4));
        Assert.True(again.Resumed);
        Assert.Equal(2, again.State.Step);
    }

    [Fact]
    public void ADamagedNewestCheckpointFallsBackToThePreviousOne()
    {
        string dir = Path.Combine(_root, "damaged");
        new TrainingLoop(NewModel(), Data(), Options(dir, steps: 4)).Run();
        string newest = Path.Combine(TrainingCheckpoint.Folder(dir), "step-00000004", "model.safetensors");
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]); // truncated, as by a dying disk
        var again = new TrainingLoop(NewModel(), Data(), Options(dir, steps: 4));
        Assert.Equal(2, again.State.Step);
    }

    [Fact]
    public void LogsMetricsDrawsTheCurveAndKeepsTheNewestCheckpoints()
    {
        string dir = Path.Combine(_root, "log");
        var loop = new TrainingLoop(NewModel(), Data(), Options(dir) with { EvaluateEverySteps = 3 })
        {
            Evaluate = m => new Dictionary<string, double> { ["accuracy"] = 0.5, ["mlm_accuracy"] = 0.25 },
            SelectionMetric = "accuracy",
        };
        var state = loop.Run();
        var lines = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], lines.Where(l => (string?)l["split"] == "train").Select(l => (long)l["step"]!));
        Assert.Equal([3, 6], lines.Where(l => (string?)l["split"] == "eval").Select(l => (long)l["step"]!));
        Assert.All(lines.Where(l => (string?)l["split"] == "train"), l => Assert.InRange((double)l["loss"]!, 0.1, 20));
        Assert.False(File.Exists(Path.Combine(dir, "learning_curve.svg")));   // plots are drawn by Microsoft.ML.RobertaZh.Plotting
        Assert.Equal(["step-00000006", "step-00000004"],
            Directory.GetDirectories(TrainingCheckpoint.Folder(dir)).Select(Path.GetFileName).OrderDescending());
        Assert.Equal(3, state.BestStep);
        Assert.True(state.TokensSeen == 6 * 2 * 3 * 10, $"tokens seen {state.TokensSeen}");
    }

    [Fact]
    public void ResumingDropsMetricsLinesWrittenAfterTheCheckpoint()
    {
        string dir = Path.Combine(_root, "relog");
        new TrainingLoop(NewModel(), Data(), Options(dir, steps: 4)).Run();
        // Pretend the process logged step 5 and died before the next checkpoint.
        File.AppendAllText(Path.Combine(dir, "metrics.jsonl"), "{\"step\":5,\"split\":\"train\",\"loss\":1}\n{\"step\":6,\"spl");
        var loop = new TrainingLoop(NewModel(), Data(), Options(dir, steps: 4));
        var steps = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Select(l => (long)JsonNode.Parse(l)!["step"]!).ToList();
        Assert.Equal([1, 2, 3, 4], steps);
        Assert.Equal(4, loop.State.Step);
    }

    [Fact]
    public void TrainingFitsARepeatedBatch()
    {
        var model = NewModel();
        var losses = new List<double>();
        var data = new SyntheticBatches(40, batch: 4, seqLen: 10, seed: 9, numLabels: 3, distinctBatches: 2);
        new TrainingLoop(model, data, Options(null, steps: 30) with { WarmupSteps = 3, LearningRate = 3e-3f })
        {
            Progress = new Inline(p => losses.Add(p.Loss)),
        }.Run();
        Assert.True(losses.TakeLast(5).Average() < losses.Take(5).Average() - 0.3, $"loss {losses.Take(5).Average()} → {losses.TakeLast(5).Average()}");
    }

    private sealed class Inline(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
