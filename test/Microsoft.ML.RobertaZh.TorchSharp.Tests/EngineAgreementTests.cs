using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tests.Model;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.TorchSharp.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.TorchSharp.Tests;

/// <summary>
/// The TorchSharp engine against the managed one on the same weights and inputs (the PyTorch fixture model with every head
/// and a padded batch, and a small random model): outputs, losses, every gradient and five AdamW steps. Dropout off.
/// </summary>
public class EngineAgreementTests
{
    private const double OutputTolerance = 1e-4;
    private const double GradientTolerance = 1e-3;
    private static ReferenceFixture Ref => ReferenceFixture.Instance.Value;
    private static readonly EngineOptions TorchSharpCpu = new() { Engine = EngineKind.TorchSharp };

    [TorchSharpFact]
    public void ForwardOutputsAgree()
    {
        var batch = Ref.Batch();
        using var managed = BertEngines.CreateInference(Ref.LoadModel());
        using var torch = BertEngines.CreateInference(Ref.LoadModel(), TorchSharpCpu);
        Assert.Equal(EngineKind.TorchSharp, torch.Kind);
        Assert.Equal("cpu", torch.Device);
        Assert.Equal(managed.ParameterCount, torch.ParameterCount);
        int[] rows = [.. Enumerable.Range(0, batch.Batch * batch.SeqLen)];
        var expected = managed.Forward(batch, rows);
        var actual = torch.Forward(batch, rows);
        TensorAssert.Close(actual.LastHiddenState, expected.LastHiddenState, OutputTolerance, "last_hidden_state");
        TensorAssert.Close(actual.PoolerOutput, expected.PoolerOutput, OutputTolerance, "pooler_output");
        TensorAssert.Close(actual.Logits, expected.Logits, OutputTolerance, "logits");
        // Logits alone: the managed engine runs its last layer for the first tokens only and must give the bits of its
        // whole pass; the TorchSharp engine takes the interface's default (the whole pass) and agrees with both.
        Assert.Equal(expected.Logits, managed.ForwardLogits(batch));
        TensorAssert.Close(torch.ForwardLogits(batch), expected.Logits, OutputTolerance, "ForwardLogits");
        TensorAssert.Close(actual.MaskedLmLogProbabilities, expected.MaskedLmLogProbabilities, OutputTolerance, "mlm_log_probs");
        // And against PyTorch 1.13's own outputs for the same batch.
        TensorAssert.Close(actual.LastHiddenState, Ref["last_hidden_state"], OutputTolerance, "PyTorch last_hidden_state");
        TensorAssert.Close(actual.MaskedLmLogProbabilities, Ref["mlm_log_probs"], OutputTolerance, "PyTorch mlm_log_probs");
        int[] some = [3, 1, 8];
        var subset = torch.Forward(batch, some).MaskedLmLogProbabilities!;
        int v = Ref.LoadModel().Config.VocabSize;
        for (int r = 0; r < some.Length; r++)
            TensorAssert.Close(subset.AsSpan(r * v, v), expected.MaskedLmLogProbabilities.AsSpan(some[r] * v, v), OutputTolerance, $"row {some[r]}");
    }

    [TorchSharpFact]
    public void LossAndEveryGradientAgree()
    {
        var batch = Ref.Batch();
        var managed = BertEngines.CreateTraining(Ref.LoadModel());
        using var torch = BertEngines.CreateTraining(Ref.LoadModel(), TorchSharpCpu);
        managed.DropoutEnabled = torch.DropoutEnabled = false;
        var expected = managed.ForwardBackward(batch, 0.5f);
        var actual = torch.ForwardBackward(batch, 0.5f);
        Assert.Equal(expected.MaskedLmPredictions, actual.MaskedLmPredictions);
        Assert.Equal(expected.MaskedLmCorrect, actual.MaskedLmCorrect);
        Assert.Equal(expected.ClassificationExamples, actual.ClassificationExamples);
        TensorAssert.Close([actual.Total, actual.MaskedLm, actual.Classification], [expected.Total, expected.MaskedLm, expected.Classification], OutputTolerance, "loss");
        var g1 = new float[managed.ParameterCount];
        var g2 = new float[torch.ParameterCount];
        managed.ExportGradients(g1);
        torch.ExportGradients(g2);
        foreach (var slice in managed.Layout.Slices)
        {
            if (slice.Name.EndsWith("attention.self.key.bias", StringComparison.Ordinal))
            {
                // Softmax cancels the key bias: its gradient is rounding noise on both sides (see BertModelGoldenTests).
                Assert.True(TensorAssert.MaxAbs(slice.Of(g2)) < 1e-6, $"{slice.Name}: gradient should vanish");
                continue;
            }
            TensorAssert.Close(slice.Of(g2), slice.Of(g1), GradientTolerance, "grad." + slice.Name);
        }
        // Accumulation adds, as in the managed engine.
        torch.ForwardBackward(batch, 0.5f);
        var twice = new float[torch.ParameterCount];
        torch.ExportGradients(twice);
        var slice0 = managed.Layout["classifier.weight"];
        TensorAssert.Close(slice0.Of(twice), [.. slice0.Of(g1).ToArray().Select(x => 2 * x)], GradientTolerance, "accumulated classifier.weight");
        Assert.Equal(Evaluate(managed, batch), Evaluate(torch, batch));
    }

    private static (int, int, int) Evaluate(IBertEngine engine, BertBatch batch)
    {
        var loss = engine.Evaluate(batch);
        return (loss.MaskedLmPredictions, loss.MaskedLmCorrect, loss.ClassificationExamples);
    }

    [TorchSharpTheory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void FiveAdamWStepsWithWarmupDecayAndClippingAgree(bool biasCorrection, bool decayAfterUpdate)
    {
        var options = new AdamWOptions { Epsilon = 1e-6f, WeightDecay = 0.01f, BiasCorrection = biasCorrection, DecayAfterUpdate = decayAfterUpdate };
        var schedule = new LearningRateSchedule(2e-3f, WarmupSteps: 2, TotalSteps: 5);
        var batch = Ref.Batch();
        var managed = BertEngines.CreateTraining(Ref.LoadModel());
        using var torch = BertEngines.CreateTraining(Ref.LoadModel(), TorchSharpCpu);
        managed.DropoutEnabled = torch.DropoutEnabled = false;
        for (int step = 0; step < 5; step++)
        {
            double[] norms = new double[2];
            int i = 0;
            foreach (var engine in new[] { managed, torch })
            {
                engine.ZeroGradients();
                engine.ForwardBackward(batch);
                norms[i++] = engine.ClipGradients(1.0);
                engine.OptimizerStep(schedule.At(step), options);
            }
            Assert.True(Math.Abs(norms[0] - norms[1]) <= GradientTolerance * norms[0], $"step {step}: gradient norm {norms[1]} vs {norms[0]}");
        }
        var p1 = new float[managed.ParameterCount];
        var p2 = new float[torch.ParameterCount];
        managed.ExportParameters(p1);
        torch.ExportParameters(p2);
        foreach (var slice in managed.Layout.Slices)
            TensorAssert.Close(slice.Of(p2), slice.Of(p1), OutputTolerance, "step5." + slice.Name);
        if (biasCorrection && !decayAfterUpdate)
            foreach (var slice in managed.Layout.Slices) // torch.optim.AdamW's defaults: PyTorch's own trajectory
                TensorAssert.Close(slice.Of(p2), Ref["step5." + slice.Name], OutputTolerance, "PyTorch step5." + slice.Name);
        var m1 = managed.ExportOptimizerState();
        var m2 = torch.ExportOptimizerState();
        Assert.Equal(m1.Step, m2.Step);
        TensorAssert.Close(m2.FirstMoment, m1.FirstMoment, OutputTolerance, "exp_avg");
        TensorAssert.Close(m2.SecondMoment, m1.SecondMoment, OutputTolerance, "exp_avg_sq");
    }

    [TorchSharpFact]
    public void ARandomModelWithPaddingAndAPretrainingHeadAgrees()
    {
        var config = new BertConfig
        {
            VocabSize = 300, HiddenSize = 64, NumHiddenLayers = 3, NumAttentionHeads = 4, IntermediateSize = 96, MaxPositionEmbeddings = 40,
        };
        var source = BertModel.Create(config, new BertHeads(Pooler: false, MaskedLm: true), seed: 12);
        var batches = new SyntheticBatches(300, batch: 4, seqLen: 24, seed: 3);
        var batch = batches.NextBatch();
        var padded = new BertBatch(batch.Batch, batch.SeqLen, batch.InputIds, attentionMask: [.. Enumerable.Range(0, 96).Select(i => i % 24 < 24 - i / 24 * 5 ? 1 : 0)])
        {
            MaskedLmLabels = batch.MaskedLmLabels,
        };
        using var managed = BertEngines.CreateTraining(source);
        using var torch = BertEngines.CreateTraining(BertModel.Create(config, new BertHeads(false, true), seed: 12), TorchSharpCpu);
        managed.DropoutEnabled = torch.DropoutEnabled = false;
        TensorAssert.Close(torch.Forward(padded).LastHiddenState, managed.Forward(padded).LastHiddenState, OutputTolerance, "hidden");
        var a = managed.ForwardBackward(padded);
        var b = torch.ForwardBackward(padded);
        Assert.Equal(a.MaskedLm, b.MaskedLm, 1e-4f * a.MaskedLm);
        var g1 = new float[managed.ParameterCount];
        var g2 = new float[torch.ParameterCount];
        managed.ExportGradients(g1);
        torch.ExportGradients(g2);
        TensorAssert.Close(g2, g1, GradientTolerance, "all gradients");
    }
}
