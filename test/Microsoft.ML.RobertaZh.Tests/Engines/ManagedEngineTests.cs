using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tests.Model;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Tests.Engines;

/// <summary>The managed engine is BertModel, AdamW and GradientClipping behind the interface: same numbers, bit for bit.</summary>
public class ManagedEngineTests
{
    private static ReferenceFixture Ref => ReferenceFixture.Instance.Value;

    [Fact]
    public void ForwardIsTheModelsForwardAndMaskedLmRowsAreThoseRowsOfTheFullLogProbabilities()
    {
        var model = Ref.LoadModel();
        var batch = Ref.Batch();
        var full = model.Forward(batch, maskedLmLogProbabilities: true);
        using var engine = BertEngines.CreateInference(model);
        Assert.IsType<ManagedEngine>(engine);
        int[] rows = [0, 5, 7, 11];
        var output = engine.Forward(batch, rows);
        Assert.Equal(full.LastHiddenState, output.LastHiddenState);
        Assert.Equal(full.PoolerOutput, output.PoolerOutput);
        Assert.Equal(full.Logits, output.Logits);
        int v = model.Config.VocabSize;
        for (int r = 0; r < rows.Length; r++)
            TensorAssert.Close(output.MaskedLmLogProbabilities.AsSpan(r * v, v), full.MaskedLmLogProbabilities.AsSpan(rows[r] * v, v), 1e-6, $"row {rows[r]}");
        Assert.Null(engine.Forward(batch).MaskedLmLogProbabilities);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Forward(batch, [batch.Batch * batch.SeqLen]));
    }

    [Fact]
    public void InferenceLossFromForwardMatchesTheModelsEvaluate()
    {
        var model = Ref.LoadModel();
        var batch = Ref.Batch();
        var expected = model.Evaluate(batch);
        using var engine = new ManagedEngine(model);
        var actual = InferenceLoss.Evaluate(engine, batch);
        Assert.Equal(expected.MaskedLmPredictions, actual.MaskedLmPredictions);
        Assert.Equal(expected.MaskedLmCorrect, actual.MaskedLmCorrect);
        Assert.Equal(expected.ClassificationExamples, actual.ClassificationExamples);
        Assert.Equal(expected.MaskedLm, actual.MaskedLm, 1e-5f);
        Assert.Equal(expected.Classification, actual.Classification, 1e-5f);
        Assert.Equal(expected, engine.Evaluate(batch));
    }

    [Fact]
    public void FiveStepsThroughTheEngineEqualTheModelAndOptimizerCalledDirectly()
    {
        var options = new AdamWOptions { Epsilon = 1e-6f, WeightDecay = 0.01f, BiasCorrection = false };
        var direct = Ref.LoadModel();
        var optimizer = new AdamW(direct.Layout, options);
        var viaEngine = Ref.LoadModel();
        var engine = BertEngines.CreateTraining(viaEngine);
        var batch = Ref.Batch();
        for (int step = 0; step < 5; step++)
        {
            direct.ZeroGradients();
            var expected = direct.ForwardBackward(batch, 0.5f);
            double expectedNorm = GradientClipping.ClipByGlobalNorm(direct.Gradients, 0.5);
            optimizer.Update(direct.Parameters, direct.Gradients, 1e-3f);

            engine.ZeroGradients();
            Assert.Equal(expected, engine.ForwardBackward(batch, 0.5f));
            Assert.Equal(expectedNorm, engine.ClipGradients(0.5));
            engine.OptimizerStep(1e-3f, options);
        }
        Assert.Equal(direct.Parameters, viaEngine.Parameters);
        var state = engine.ExportOptimizerState();
        Assert.Equal(5, state.Step);
        Assert.Equal(optimizer.FirstMoment, state.FirstMoment);
        Assert.Equal(optimizer.SecondMoment, state.SecondMoment);
    }

    [Fact]
    public void ParametersGradientsAndOptimizerStateRoundTrip()
    {
        var model = BertModel.Create(TinyConfig(), new BertHeads(true, true, 2), seed: 3);
        var engine = new ManagedEngine(model);
        int n = model.Layout.Count;
        Assert.Equal(n, engine.ParameterCount);
        var values = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i)).ToArray();
        engine.ImportParameters(values);
        var back = new float[n];
        engine.ExportParameters(back);
        Assert.Equal(values, back);
        Assert.Throws<ArgumentException>(() => engine.ImportParameters(new float[n - 1]));
        Assert.Throws<ArgumentException>(() => engine.ExportGradients(new float[n + 1]));

        var state = new OptimizerState(7, [.. values.Select(v => v / 2)], [.. values.Select(v => v * v)]);
        engine.ImportOptimizerState(state);
        var exported = engine.ExportOptimizerState();
        Assert.Equal(7, exported.Step);
        Assert.Equal(state.FirstMoment, exported.FirstMoment);
        // Changing the optimizer's options keeps the moments.
        engine.ZeroGradients();
        engine.OptimizerStep(0f, new AdamWOptions { Beta2 = 0.98f });
        Assert.Equal(8, engine.ExportOptimizerState().Step);
    }

    [Fact]
    public void DropoutCanBeTurnedOffForExactComparisons()
    {
        var config = TinyConfig();
        config.HiddenDropoutProb = 0.3f;
        config.AttentionProbsDropoutProb = 0.3f;
        var batch = new SyntheticBatches(40, batch: 2, seqLen: 8, seed: 1, numLabels: 2).NextBatch();
        var engine = new ManagedEngine(BertModel.Create(config, new BertHeads(true, true, 2), seed: 2));
        var withDropout = engine.ForwardBackward(batch);
        engine.DropoutEnabled = false;
        var first = engine.ForwardBackward(batch);
        var second = engine.ForwardBackward(batch);
        Assert.Equal(first, second); // no masks: every pass is the same
        Assert.NotEqual(withDropout.Total, first.Total);
        Assert.Equal(engine.Evaluate(batch).Total, first.Total, 1e-5f);
    }

    internal static BertConfig TinyConfig() => new()
    {
        VocabSize = 40, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 16,
    };
}
