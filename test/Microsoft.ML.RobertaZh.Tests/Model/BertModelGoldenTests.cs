using Microsoft.ML.RobertaZh.Checkpoints;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.Model;

/// <summary>The engine against PyTorch on the same weights and inputs (fixtures from eval/reference/make_model_fixtures.py).</summary>
public class BertModelGoldenTests
{
    private static ReferenceFixture Ref => ReferenceFixture.Instance.Value;

    // Float32 on both sides with different summation orders: outputs agree to ~1e-6; the bound is 1e-4.
    private const double OutputTolerance = 1e-4;
    private const double GradientTolerance = 1e-3;

    [Fact]
    public void ForwardMatchesPyTorch()
    {
        var model = Ref.LoadModel();
        var output = model.Forward(Ref.Batch(), maskedLmLogProbabilities: true);
        TensorAssert.Close(output.LastHiddenState, Ref["last_hidden_state"], OutputTolerance, "last_hidden_state");
        TensorAssert.Close(output.PoolerOutput, Ref["pooler_output"], OutputTolerance, "pooler_output");
        TensorAssert.Close(output.Logits, Ref["logits"], OutputTolerance, "logits");
        TensorAssert.Close(output.MaskedLmLogProbabilities, Ref["mlm_log_probs"], OutputTolerance, "mlm_log_probs");
    }

    [Fact]
    public void LossAndEveryGradientMatchPyTorch()
    {
        var model = Ref.LoadModel();
        model.ZeroGradients();
        var loss = model.ForwardBackward(Ref.Batch());
        TensorAssert.Close([loss.Total, loss.MaskedLm, loss.Classification], Ref["loss"], OutputTolerance, "loss");
        Assert.Equal(6, loss.MaskedLmPredictions);
        Assert.Equal(3, loss.ClassificationExamples);
        foreach (var slice in model.Layout.Slices)
        {
            if (slice.Name.EndsWith("attention.self.key.bias", StringComparison.Ordinal))
            {
                // The key bias adds the same amount to every score of a query row, which softmax cancels: its gradient is
                // zero in exact arithmetic and only rounding noise (~1e-9) on both sides, so relative error means nothing.
                Assert.True(TensorAssert.MaxAbs(slice.Of(model.Gradients)) < 1e-6, $"{slice.Name}: gradient should vanish");
                Assert.True(TensorAssert.MaxAbs(Ref["grad." + slice.Name]) < 1e-6, $"{slice.Name}: reference gradient should vanish");
                continue;
            }
            TensorAssert.Close(slice.Of(model.Gradients), Ref["grad." + slice.Name], GradientTolerance, "grad." + slice.Name);
        }
    }

    [Fact]
    public void FiveAdamWStepsWithWarmupDecayAndClippingMatchPyTorch()
    {
        var model = Ref.LoadModel();
        var optimizer = new AdamW(model.Layout, new AdamWOptions { Epsilon = 1e-6f, WeightDecay = 0.01f });
        var schedule = new LearningRateSchedule(2e-3f, WarmupSteps: 2, TotalSteps: 5);
        var batch = Ref.Batch();
        var losses = new float[5];
        var norms = new float[5];
        var rates = new float[5];
        for (int step = 0; step < 5; step++)
        {
            model.ZeroGradients();
            losses[step] = model.ForwardBackward(batch).Total;
            norms[step] = (float)GradientClipping.ClipByGlobalNorm(model.Gradients, 1.0);
            rates[step] = schedule.At(step);
            optimizer.Update(model.Parameters, model.Gradients, rates[step]);
        }
        TensorAssert.Close(rates, Ref["step_learning_rates"], 1e-7, "learning rates");
        TensorAssert.Close(losses, Ref["step_losses"], OutputTolerance, "step losses");
        TensorAssert.Close(norms, Ref["step_grad_norms"], GradientTolerance, "gradient norms");
        foreach (var slice in model.Layout.Slices)
            TensorAssert.Close(slice.Of(model.Parameters), Ref["step5." + slice.Name], OutputTolerance, "step5." + slice.Name);
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("pytorch_model.bin")]
    [InlineData("pytorch_model_legacy.bin")]
    [InlineData("uer_model.bin")]
    public void EveryCheckpointFormatLoadsTheSameWeights(string file)
    {
        var config = BertConfig.Load(Path.Combine(Ref.ModelDirectory, "config.json"));
        var weights = CheckpointReader.Read(Path.Combine(Ref.ModelDirectory, file));
        var model = BertModel.FromStateDict(config, weights, out var report, new BertHeads(true, true, 3));
        bool uer = file.StartsWith("uer", StringComparison.Ordinal);
        foreach (var slice in model.Layout.Slices)
        {
            if (uer && slice.Name.StartsWith("classifier.", StringComparison.Ordinal)) continue; // UER's MLM checkpoints have no classifier
            Assert.True(slice.Of(model.Parameters).SequenceEqual(Ref["initial." + slice.Name]), $"{file}: {slice.Name} differs");
        }
        Assert.Empty(report.Unexpected);
        Assert.Equal(uer ? ["classifier.weight", "classifier.bias"] : [], report.Missing);
        if (file.EndsWith(".bin", StringComparison.Ordinal) && !uer) Assert.Contains("bert.embeddings.position_ids", report.Ignored);
    }

    [Fact]
    public void SaveThenLoadRoundTripsAndReportsNothingMissing()
    {
        var model = Ref.LoadModel();
        string dir = Path.Combine(Path.GetTempPath(), "rzh-save-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(dir, Path.Combine(Ref.ModelDirectory, "vocab.txt"));
            Assert.True(File.Exists(Path.Combine(dir, "vocab.txt")));
            var again = BertModel.Load(dir, out var report);
            Assert.Equal(model.Heads, again.Heads);
            Assert.Equal(model.Parameters, again.Parameters);
            Assert.Empty(report.Missing);
            Assert.Empty(report.Unexpected);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ResultsDoNotDependOnBatching()
    {
        var model = Ref.LoadModel();
        var batch = Ref.Batch();
        var together = model.Forward(batch);
        int h = model.Config.HiddenSize;
        for (int b = 0; b < batch.Batch; b++)
        {
            int len = batch.AttentionMask.Skip(b * batch.SeqLen).Take(batch.SeqLen).Sum();
            var alone = model.Forward(new BertBatch(1, len,
                batch.InputIds.Skip(b * batch.SeqLen).Take(len).ToArray(),
                batch.TokenTypeIds.Skip(b * batch.SeqLen).Take(len).ToArray()));
            TensorAssert.Close(alone.LastHiddenState, together.LastHiddenState.AsSpan(b * batch.SeqLen * h, len * h), 1e-5, $"sequence {b} hidden");
            TensorAssert.Close(alone.Logits, together.Logits.AsSpan(b * 3, 3), 1e-5, $"sequence {b} logits");
        }
    }
}
