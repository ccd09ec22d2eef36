using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.TorchSharp.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.TorchSharp.Tests;

/// <summary>
/// Checkpoints move between engines: a run stopped on one engine resumes on the other with the same weights and AdamW
/// moments, a run resumes exactly on the same engine, and a classifier trained on either scores the same on either.
/// </summary>
public sealed class CrossEngineTrainingTests : IDisposable
{
    private static readonly BertConfig Config = new()
    {
        VocabSize = 40, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64, MaxPositionEmbeddings = 16,
        HiddenDropoutProb = 0f, AttentionProbsDropoutProb = 0f,
    };

    private static readonly EngineOptions TorchSharpCpu = new() { Engine = EngineKind.TorchSharp };
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rzh-xengine-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static BertModel NewModel(BertConfig? config = null) => BertModel.Create(config ?? Config, new BertHeads(true, true, 3), seed: 1);

    private static IBertTrainingEngine Engine(EngineKind kind, BertConfig? config = null) =>
        BertEngines.CreateTraining(NewModel(config), new EngineOptions { Engine = kind });

    private static TrainingOptions Options(string? dir, long steps = 6) => new()
    {
        TotalSteps = steps, GradientAccumulationSteps = 2, LearningRate = 1e-3f, WarmupSteps = 2, SaveEverySteps = 2,
        OutputDirectory = dir, Seed = 5, KeepCheckpoints = 2,
    };

    private static SyntheticBatches Data() => new(40, batch: 3, seqLen: 10, seed: 9, numLabels: 3);

    private static float[] Weights(IBertTrainingEngine engine)
    {
        var w = new float[engine.ParameterCount];
        engine.ExportParameters(w);
        return w;
    }

    /// <summary>Runs 3 of 6 updates on <paramref name="first"/> (checkpointing at the stop), then the rest on <paramref name="second"/>.</summary>
    private float[] StopAndResume(EngineKind first, EngineKind second, string name, BertConfig? config = null)
    {
        string dir = Path.Combine(_root, name);
        using var cancel = new CancellationTokenSource();
        using (var a = Engine(first, config))
        {
            var loop = new TrainingLoop(a, Data(), Options(dir)) { Progress = new Inline(p => { if (p.Step == 3) cancel.Cancel(); }) };
            Assert.Equal(3, loop.Run(cancel.Token).Step);
            var saved = a.ExportOptimizerState();
            using var b = Engine(second, config);
            var probe = new TrainingLoop(b, Data(), Options(dir));
            Assert.True(probe.Resumed);
            var restored = b.ExportOptimizerState();
            Assert.Equal(3, restored.Step);
            Assert.Equal(saved.FirstMoment, restored.FirstMoment);   // the moments carry over exactly
            Assert.Equal(saved.SecondMoment, restored.SecondMoment);
            Assert.Equal(Weights(a), Weights(b));
        }
        using var resumedEngine = Engine(second, config);
        var resumed = new TrainingLoop(resumedEngine, Data(), Options(dir));
        Assert.Equal(3, resumed.State.Step);
        Assert.Equal(first.ToString(), resumed.State.Engine);
        resumed.Run();
        return Weights(resumedEngine);
    }

    private static float[] Straight(EngineKind kind, BertConfig? config = null)
    {
        using var engine = Engine(kind, config);
        new TrainingLoop(engine, Data(), Options(null)).Run();
        return Weights(engine);
    }

    [TorchSharpTheory]
    [InlineData(EngineKind.Managed, EngineKind.TorchSharp)]
    [InlineData(EngineKind.TorchSharp, EngineKind.Managed)]
    public void ARunStoppedOnOneEngineResumesOnTheOtherWithWeightsAndMoments(EngineKind first, EngineKind second)
    {
        var expected = Straight(EngineKind.Managed);
        var actual = StopAndResume(first, second, $"{first}-{second}");
        TensorAssert.Close(actual, expected, 1e-4, "weights after 6 updates");
    }

    [TorchSharpFact]
    public void ATorchSharpRunWithDropoutResumesExactly()
    {
        var withDropout = Config.Clone();
        withDropout.HiddenDropoutProb = 0.1f;
        withDropout.AttentionProbsDropoutProb = 0.1f;
        var straight = Straight(EngineKind.TorchSharp, withDropout);
        var resumed = StopAndResume(EngineKind.TorchSharp, EngineKind.TorchSharp, "ts-dropout", withDropout);
        Assert.Equal(straight, resumed);
        // The masks matter: the same run without dropout ends elsewhere.
        Assert.NotEqual(Straight(EngineKind.TorchSharp), straight);
    }

    [TorchSharpTheory]
    [InlineData(EngineKind.Managed)]
    [InlineData(EngineKind.TorchSharp)]
    public void AClassifierTrainedOnEitherEngineScoresTheSameOnEither(EngineKind trainedOn)
    {
        var config = Config.Clone();
        config.HiddenDropoutProb = 0.1f; // trained with dropout; scored without
        var model = BertModel.Create(config, BertHeads.Classification(3), seed: 2);
        string dir = Path.Combine(_root, "classifier-" + trainedOn);
        using (var engine = BertEngines.CreateTraining(model, new EngineOptions { Engine = trainedOn }))
        {
            new TrainingLoop(engine, new ClassLabelsOnly(new SyntheticBatches(40, 4, 10, seed: 3, numLabels: 3)), Options(null, steps: 8) with { LearningRate = 3e-3f }).Run();
            engine.Save(dir);
        }
        var batch = new SyntheticBatches(40, batch: 5, seqLen: 10, seed: 77).NextBatch();
        var saved = BertModel.Load(dir);
        using var managed = BertEngines.CreateInference(saved);
        using var torch = BertEngines.CreateInference(BertModel.Load(dir), TorchSharpCpu);
        var expected = Probabilities(managed.Forward(batch).Logits!, 3);
        var actual = Probabilities(torch.Forward(batch).Logits!, 3);
        TensorAssert.Close(actual, expected, 1e-4, "class probabilities");
        Assert.True(expected.Max() - expected.Min() > 0.01, "the classifier learned something to compare");
    }

    private static float[] Probabilities(float[] logits, int k)
    {
        var p = new float[logits.Length];
        for (int r = 0; r < logits.Length / k; r++)
        {
            var row = logits.AsSpan(r * k, k);
            float max = row[0];
            foreach (float x in row) max = Math.Max(max, x);
            double sum = 0;
            for (int c = 0; c < k; c++) sum += Math.Exp(row[c] - max);
            for (int c = 0; c < k; c++) p[r * k + c] = (float)(Math.Exp(row[c] - max) / sum);
        }
        return p;
    }

    /// <summary>The synthetic batches without their masked-LM labels, for a model with only a classification head.</summary>
    private sealed class ClassLabelsOnly(SyntheticBatches inner) : ITrainingBatchSource
    {
        public double Epoch => inner.Epoch;

        public BertBatch NextBatch()
        {
            var b = inner.NextBatch();
            return new BertBatch(b.Batch, b.SeqLen, b.InputIds, b.TokenTypeIds, b.AttentionMask) { ClassLabels = b.ClassLabels };
        }

        public string SavePosition() => inner.SavePosition();

        public void RestorePosition(string position) => inner.RestorePosition(position);
    }

    private sealed class Inline(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
