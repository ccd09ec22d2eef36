using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Tests.Model;

public class BertModelBehaviourTests
{
    private static readonly BertConfig Small = new()
    {
        VocabSize = 50, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 48, MaxPositionEmbeddings = 16,
        HiddenDropoutProb = 0.2f, AttentionProbsDropoutProb = 0.2f,
    };

    private static BertBatch Batch()
    {
        var rng = new Random(11);
        var ids = Enumerable.Range(0, 3 * 9).Select(_ => rng.Next(1, 50)).ToArray();
        var mask = Enumerable.Range(0, 3 * 9).Select(i => i % 9 < (i / 9 == 2 ? 5 : 9) ? 1 : 0).ToArray();
        var labels = Enumerable.Range(0, 3 * 9).Select(i => i % 4 == 1 && mask[i] == 1 ? ids[i] : -100).ToArray();
        return new BertBatch(3, 9, ids, attentionMask: mask) { MaskedLmLabels = labels, ClassLabels = [0, 1, 1] };
    }

    private static BertModel Model() => BertModel.Create(Small, new BertHeads(true, true, 2), seed: 4);

    [Fact]
    public void DropoutMasksRepeatWithTheSeedAndPassAndDifferAcrossPasses()
    {
        var a = Model();
        var b = Model();
        var first = a.ForwardBackward(Batch());
        Assert.Equal(first, b.ForwardBackward(Batch()));      // same seed, same pass index: identical
        Assert.Equal(a.Gradients, b.Gradients);
        var second = a.ForwardBackward(Batch());               // next pass: fresh masks
        Assert.NotEqual(first.Total, second.Total);
        b.TrainingPasses = 0;                                  // a resumed run restores the pass counter
        b.ZeroGradients();
        Assert.Equal(first, b.ForwardBackward(Batch()));
    }

    [Fact]
    public void TrainingResultsDoNotDependOnTheThreadCount()
    {
        var parallel = Model();
        parallel.ForwardBackward(Batch());
        int saved = KernelParallel.MaxDegreeOfParallelism;
        try
        {
            KernelParallel.MaxDegreeOfParallelism = 1;
            var serial = Model();
            serial.ForwardBackward(Batch());
            Assert.Equal(parallel.Gradients, serial.Gradients);
        }
        finally
        {
            KernelParallel.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void InferenceHasNoDropoutAndIsRepeatable()
    {
        var model = Model();
        var x = model.Forward(Batch());
        var y = model.Forward(Batch());
        Assert.Equal(x.LastHiddenState, y.LastHiddenState);
        Assert.Equal(x.Logits, y.Logits);
    }

    [Fact]
    public void GradientsAccumulateAcrossPassesWithTheLossScale()
    {
        var noDropout = Small.Clone();
        noDropout.HiddenDropoutProb = 0;
        noDropout.AttentionProbsDropoutProb = 0;
        var once = BertModel.Create(noDropout, new BertHeads(true, true, 2), seed: 4);
        once.ForwardBackward(Batch());
        var twice = BertModel.Create(noDropout, new BertHeads(true, true, 2), seed: 4);
        twice.ForwardBackward(Batch(), lossScale: 0.5f);
        twice.ForwardBackward(Batch(), lossScale: 0.5f);
        for (int i = 0; i < once.Gradients.Length; i++)
            Assert.True(Math.Abs(once.Gradients[i] - twice.Gradients[i]) <= 1e-6f + 1e-5f * Math.Abs(once.Gradients[i]), $"gradient {i}");
    }

    [Fact]
    public void CreateInitializesAsHuggingFaceDoes()
    {
        var model = Model();
        Assert.All(model.Parameter("bert.embeddings.LayerNorm.weight").ToArray(), x => Assert.Equal(1f, x));
        Assert.All(model.Parameter("bert.encoder.layer.0.attention.self.query.bias").ToArray(), x => Assert.Equal(0f, x));
        Assert.All(model.Parameter("bert.embeddings.word_embeddings.weight")[..Small.HiddenSize].ToArray(), x => Assert.Equal(0f, x)); // padding row
        var w = model.Parameter("bert.encoder.layer.1.intermediate.dense.weight").ToArray();
        double std = Math.Sqrt(w.Sum(x => (double)x * x) / w.Length);
        Assert.InRange(std, 0.018, 0.022);
    }

    [Theory]
    [InlineData(50, 0, 1, "input id 50")]
    [InlineData(3, 2, 1, "token type id 2")]
    [InlineData(3, 0, 2, "attention mask value 2")]
    public void BadInputsNameTheSequenceAndPosition(int id, int type, int mask, string problem)
    {
        var ids = new int[6]; var types = new int[6]; var masks = Enumerable.Repeat(1, 6).ToArray();
        ids[4] = id; types[4] = type; masks[4] = mask;
        var e = Assert.Throws<ArgumentException>(() => Model().Forward(new BertBatch(2, 3, ids, types, masks)));
        Assert.Contains("Sequence 1, position 1", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SequencesLongerThanThePositionTableAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => Model().Forward(new BertBatch(1, 17, new int[17])));
        Assert.Contains("max_position_embeddings", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassLabelsOutsideTheHeadAreRefused()
    {
        var batch = new BertBatch(1, 3, [1, 2, 3]) { ClassLabels = [2] };
        var e = Assert.Throws<ArgumentException>(() => Model().ForwardBackward(batch));
        Assert.Contains("Class label 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PadRightPadsAndMasks()
    {
        var b = BertBatch.Pad([[5, 6, 7], [8]], [[0, 1, 1], null], padTokenId: 0);
        Assert.Equal([5, 6, 7, 8, 0, 0], b.InputIds);
        Assert.Equal([0, 1, 1, 0, 0, 0], b.TokenTypeIds);
        Assert.Equal([1, 1, 1, 1, 0, 0], b.AttentionMask);
    }

    [Fact]
    public void ShapeMismatchOnLoadNamesTheTensorAndFile()
    {
        var model = Model();
        string dir = Path.Combine(Path.GetTempPath(), "rzh-shape-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(dir);
            var wider = Small.Clone();
            wider.IntermediateSize = 64;
            wider.Save(Path.Combine(dir, "config.json"));
            var e = Assert.Throws<InvalidDataException>(() => BertModel.Load(dir));
            Assert.Contains("intermediate.dense.weight", e.Message, StringComparison.Ordinal);
            Assert.Contains("model.safetensors", e.Message, StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void MissingPoolerIsReportedAndInitialized()
    {
        // UER's miniatures were converted without a pooler: loading them for classification must say so.
        var source = BertModel.Create(Small, new BertHeads(Pooler: false, MaskedLm: true), seed: 1);
        string dir = Path.Combine(Path.GetTempPath(), "rzh-nopool-" + Guid.NewGuid().ToString("N"));
        try
        {
            source.Save(dir);
            var model = BertModel.Load(dir, out var report, BertHeads.Classification(2));
            Assert.Equal(["bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"], report.Missing);
            Assert.Contains("cls.predictions.transform.dense.weight", report.Unexpected);
            Assert.Equal(source.Parameter("bert.encoder.layer.1.output.dense.weight").ToArray(), model.Parameter("bert.encoder.layer.1.output.dense.weight").ToArray());
        }
        finally { Directory.Delete(dir, true); }
    }
}
