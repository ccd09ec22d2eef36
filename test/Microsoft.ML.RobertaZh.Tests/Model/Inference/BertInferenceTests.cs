using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Model.Inference;
using Microsoft.ML.RobertaZh.Tensors.Kernels;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Xunit.Abstractions;

namespace Microsoft.ML.RobertaZh.Tests.Model.Inference;

[Collection(ParallelismScope.Collection)]
public class BertInferenceTests(ITestOutputHelper output)
{
    private static ReferenceFixture Ref => ReferenceFixture.Instance.Value;

    [Fact]
    public void FusedFloatPassIsBitIdenticalToTheTrainingEncoderInInferenceMode()
    {
        // The inference pass fuses GELU and residual + LayerNorm into the products' epilogues; the unfused training
        // encoder (no dropout) is the specification, on the PyTorch fixture's padded batch.
        var model = Ref.LoadModel();
        var batch = Ref.Batch();
        var a = new BertActivations(model.Config, model.Heads, batch.Batch, batch.SeqLen, training: false);
        BertEncoder.Forward(model.Layout, model.Parameters, a, batch, new DropoutContext(false, 0, 0, model.Config.NumHiddenLayers));
        var expected = a.LastHiddenState(model.Config.NumHiddenLayers).AsSpan(0, a.Tokens * model.Config.HiddenSize).ToArray();
        Assert.Equal(expected, model.Forward(batch).LastHiddenState);
    }

    [Fact]
    public void FusedFloatPassIsBitIdenticalOnALargerRandomModel()
    {
        // Big enough (64 × 48 rows, hidden 96, intermediate 384) for the products to run multi-threaded with fused epilogues.
        var config = SmallConfig(hidden: 96, heads: 4, intermediate: 384);
        var model = BertModel.Create(config, new BertHeads(Pooler: true, MaskedLm: false), seed: 3);
        var batch = RandomBatch(64, 48, config.VocabSize, seed: 4);
        var a = new BertActivations(model.Config, model.Heads, batch.Batch, batch.SeqLen, training: false);
        BertEncoder.Forward(model.Layout, model.Parameters, a, batch, new DropoutContext(false, 0, 0, config.NumHiddenLayers));
        Assert.Equal(a.LastHiddenState(config.NumHiddenLayers).AsSpan(0, a.Tokens * config.HiddenSize).ToArray(), model.Forward(batch).LastHiddenState);
    }

    [Fact]
    public void DynamicInt8StaysCloseToFullPrecision()
    {
        // Stated tolerance for the whole model (2 layers, hidden 64, random weights, padded batch): relative RMS error
        // of the last hidden state ≤ 3%, of the logits ≤ 5%, and the same predicted class for every sequence.
        var model = Ref.LoadModel();
        var batch = Ref.Batch();
        var full = model.Forward(batch);
        model.InferencePrecision = InferencePrecision.DynamicInt8;
        var quantized = model.Forward(batch);
        double hiddenError = RelativeRms(quantized.LastHiddenState, full.LastHiddenState);
        double logitError = RelativeRms(quantized.Logits!, full.Logits!);
        output.WriteLine($"int8 vs fp32: hidden {hiddenError:P2}, logits {logitError:P2}, pooler {RelativeRms(quantized.PoolerOutput!, full.PoolerOutput!):P2}");
        Assert.True(hiddenError <= 0.03, $"hidden-state error {hiddenError:P2}");
        Assert.True(logitError <= 0.05, $"logit error {logitError:P2}");
        Assert.True(hiddenError > 0, "the int8 path must actually quantize");
        int labels = model.Heads.NumLabels;
        for (int b = 0; b < batch.Batch; b++)
            Assert.Equal(ArgMax(full.Logits!.AsSpan(b * labels, labels)), ArgMax(quantized.Logits!.AsSpan(b * labels, labels)));
    }

    [Fact]
    public void Int8CacheFollowsTheWeights()
    {
        var model = Ref.LoadModel();
        var batch = Ref.Batch();
        model.InferencePrecision = InferencePrecision.DynamicInt8;
        var before = model.Forward(batch).LastHiddenState;
        Assert.Equal(before, model.Forward(batch).LastHiddenState); // cached weights, same answer

        // Weights replaced wholesale (as when a best epoch is restored) are noticed without being told.
        var saved = (float[])model.Parameters.Clone();
        var other = BertModel.Create(model.Config, model.Heads, seed: 9);
        other.Parameters.CopyTo(model.Parameters, 0);
        other.InferencePrecision = InferencePrecision.DynamicInt8;
        Assert.Equal(other.Forward(batch).LastHiddenState, model.Forward(batch).LastHiddenState);

        // A targeted change plus the explicit call.
        saved.CopyTo(model.Parameters, 0);
        model.InvalidateInferenceCaches();
        Assert.Equal(before, model.Forward(batch).LastHiddenState);

        // Back to full precision gives the reference result again.
        model.InferencePrecision = InferencePrecision.FullPrecision;
        Assert.NotEqual(before, model.Forward(batch).LastHiddenState);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Int8LayerPerSequenceIsBitIdenticalToTheLayerPassByPass(bool packed)
    {
        // Int8Linears.TryForwardLayer runs each sequence's Q/K/V product, its attention and the tail while its rows are
        // in cache; the specification is the int8 product over all rows, the attention kernel and the tail, pass by pass.
        var config = SmallConfig(hidden: 64, heads: 2, intermediate: 256);
        var model = BertModel.Create(config, new BertHeads(Pooler: false, MaskedLm: false), seed: 12);
        using var linears = new Int8Linears(model.Layout, model.Parameters);
        AssertLayerPerSequenceIsThePassByPass(linears, model, seqLen: 100, packed, seed: 13);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FloatLayerPerSequenceIsBitIdenticalToTheLayerPassByPass(bool packed)
    {
        // FloatLinears.TryForwardLayer packs the layer's weights once and runs each sequence's Q/K/V product, its
        // attention and its tail (in 64-row blocks) on one thread; the specification is the layer-wide products, the
        // attention kernel and the fused tail, pass by pass. Sequences longer than two tail blocks.
        var config = SmallConfig(hidden: 64, heads: 2, intermediate: 256);
        var model = BertModel.Create(config, new BertHeads(Pooler: false, MaskedLm: false), seed: 32);
        using var linears = new FloatLinears(model.Layout, model.Parameters);
        AssertLayerPerSequenceIsThePassByPass(linears, model, seqLen: 150, packed, seed: 33);
    }

    /// <summary>
    /// <paramref name="linears"/>' whole layer per sequence against its layer-wide Q/K/V product, the attention kernel
    /// (padded with the sequences' additive masks, or packed) and its tail, pass by pass: sequences of different
    /// lengths (at least 64, the pass's minimum mean), the layer's input being its output buffer as in the inference
    /// pass, on all threads and on one; and the pass declines too few or too short sequences.
    /// </summary>
    private static void AssertLayerPerSequenceIsThePassByPass(EncoderLinears linears, BertModel model, int seqLen, bool packed, int seed)
    {
        var config = model.Config;
        int h = config.HiddenSize, heads = config.NumAttentionHeads, batch = 4 * Environment.ProcessorCount + 3;
        var lengths = new int[batch];
        var offsets = new int[batch];
        var rng = new Random(seed);
        for (int b = 0; b < batch; b++)
        {
            lengths[b] = packed ? rng.Next(64, seqLen + 1) : seqLen;
            if (b > 0) offsets[b] = offsets[b - 1] + lengths[b - 1];
        }
        int rows = offsets[^1] + lengths[^1];
        float[]? mask = null;
        if (!packed)
        {
            mask = new float[batch * seqLen];
            for (int b = 0; b < batch; b++)
            {
                int valid = rng.Next(1, seqLen + 1);
                for (int t = valid; t < seqLen; t++) mask[b * seqLen + t] = float.MinValue;
            }
        }
        var input = ReferenceGemm.RandomFloats(rows * h, seed + 1);
        var expected = new BertActivations(config, model.Heads, batch, seqLen, training: false).Layer(0);
        linears.Forward(1, LinearSlot.Qkv, expected.Qkv, input, rows, epilogue: null);
        if (packed) Attention.ForwardPacked(expected.Context, expected.Qkv, lengths, offsets, h, heads);
        else Attention.ForwardInference(expected.Context, expected.Qkv, mask, batch, seqLen, h, heads);
        linears.ForwardTail(1, expected, input, rows);

        foreach (int threads in new[] { -1, 1 })
        {
            using var scope = new ParallelismScope(threads);
            var fused = new BertActivations(config, model.Heads, batch, seqLen, training: false).Layer(0);
            input.CopyTo(fused.LayerNorm2, 0);
            Assert.True(linears.TryForwardLayer(1, fused, fused.LayerNorm2, lengths, offsets, mask, seqLen));
            Assert.Equal(expected.LayerNorm2.AsSpan(0, rows * h).ToArray(), fused.LayerNorm2.AsSpan(0, rows * h).ToArray());
        }
        // Too few sequences to share out, or sequences too short to fill the row blocks: not run, the caller takes the
        // layer-wide passes.
        var few = new BertActivations(config, model.Heads, 1, seqLen, training: false).Layer(0);
        Assert.False(linears.TryForwardLayer(1, few, input, [seqLen], [0], null, seqLen));
        var shortLengths = Enumerable.Repeat(20, batch).ToArray();
        var shortOffsets = Enumerable.Range(0, batch).Select(b => b * 20).ToArray();
        Assert.False(linears.TryForwardLayer(1, few, input, shortLengths, shortOffsets, null, seqLen));
    }

    [Fact]
    public void FloatPassPerSequenceIsBitIdenticalToTheTrainingEncoder()
    {
        // A batch for which every layer takes the per-sequence pass (many sequences of at least 64 tokens, a model whose
        // sequence fits the L2 cache): the whole model against the unfused training encoder without dropout.
        var config = SmallConfig(hidden: 64, heads: 2, intermediate: 256);
        var model = BertModel.Create(config, new BertHeads(Pooler: true, MaskedLm: false), seed: 35);
        int batchSize = 4 * Environment.ProcessorCount + 1, seqLen = 96;
        var batch = RandomBatch(batchSize, seqLen, config.VocabSize, seed: 36);
        var full = new BertBatch(batchSize, seqLen, batch.InputIds, attentionMask: [.. Enumerable.Repeat(1, batchSize * seqLen)]);
        var a = new BertActivations(model.Config, model.Heads, batchSize, seqLen, training: false);
        BertEncoder.Forward(model.Layout, model.Parameters, a, full, new DropoutContext(false, 0, 0, config.NumHiddenLayers));
        var expected = a.LastHiddenState(config.NumHiddenLayers).AsSpan(0, a.Tokens * config.HiddenSize).ToArray();
        foreach (int threads in new[] { -1, 1 })
        {
            using var scope = new ParallelismScope(threads);
            Assert.Equal(expected, model.Forward(full).LastHiddenState);
        }
    }

    [Theory]
    [InlineData(InferencePrecision.FullPrecision, false)]
    [InlineData(InferencePrecision.FullPrecision, true)]
    [InlineData(InferencePrecision.DynamicInt8, false)]
    [InlineData(InferencePrecision.DynamicInt8, true)]
    public void BuffersTakenOverFromALargerShapeGiveTheResultsOfFreshOnes(InferencePrecision precision, bool pack)
    {
        // Inference passes keep the previous shape's buffers when they are long enough, stale values and all: a
        // sequence of shapes (large, smaller, other batch size, larger again) must give, output by output, exactly what
        // a model with fresh buffers gives for each batch.
        var model = Ref.LoadModel();
        model.InferencePrecision = precision;
        model.PackPaddedSequences = pack;
        var shapes = new[] { (16, 32, 20), (9, 17, 21), (3, 32, 22), (12, 8, 23), (20, 32, 24), (7, 29, 25) };
        foreach (var (batch, seqLen, seed) in shapes)
        {
            var input = RandomBatch(batch, seqLen, model.Config.VocabSize, seed);
            var reused = model.Forward(input);
            var fresh = Ref.LoadModel();
            fresh.InferencePrecision = precision;
            fresh.PackPaddedSequences = pack;
            var expected = fresh.Forward(input);
            Assert.Equal(expected.LastHiddenState, reused.LastHiddenState);
            Assert.Equal(expected.PoolerOutput, reused.PoolerOutput);
            Assert.Equal(expected.Logits, reused.Logits);
            Assert.Equal(expected.Logits!.Length, batch * model.Heads.NumLabels);
            var labelled = new BertBatch(batch, seqLen, input.InputIds, attentionMask: input.AttentionMask)
            {
                ClassLabels = [.. Enumerable.Range(0, batch).Select(i => i % model.Heads.NumLabels)],
            };
            Assert.Equal(fresh.Evaluate(labelled).Classification, model.Evaluate(labelled).Classification);
        }
    }

    [Fact]
    public void Int8CacheNoticesAnyOneWeightMatrixReplacedAndNothingElse()
    {
        // The staleness check samples every quantized matrix: replacing any single one of them (here each slot of the
        // last layer in turn) is noticed; biases and LayerNorm parameters are read live, so changing them is not a
        // reason to quantize again, and an untouched model stays current.
        var model = Ref.LoadModel();
        var other = BertModel.Create(model.Config, model.Heads, seed: 10);
        var o = model.Layout.Layers[^1];
        int h = model.Config.HiddenSize, ff = model.Config.IntermediateSize;
        using var linears = new Int8Linears(model.Layout, model.Parameters);
        Assert.False(linears.IsStale());
        model.Parameters[o.OutputBias] += 1f;
        model.Parameters[o.OutputLayerNormWeight] += 1f;
        Assert.False(linears.IsStale());
        foreach (var (offset, length) in new[] { (o.QkvWeight, 3 * h * h), (o.AttentionOutputWeight, h * h), (o.IntermediateWeight, ff * h), (o.OutputWeight, h * ff) })
        {
            var saved = model.Parameters.AsSpan(offset, length).ToArray();
            other.Parameters.AsSpan(offset, length).CopyTo(model.Parameters.AsSpan(offset, length));
            Assert.True(linears.IsStale(), $"matrix at {offset} replaced");
            saved.CopyTo(model.Parameters.AsSpan(offset, length));
            Assert.False(linears.IsStale());
        }
    }

    [Fact]
    public void Int8PassIsIdenticalWhateverTheThreadCount()
    {
        var model = Ref.LoadModel();
        var batch = RandomBatch(16, 32, model.Config.VocabSize, seed: 5); // 512 rows: 11 row blocks, multi-threaded
        model.InferencePrecision = InferencePrecision.DynamicInt8;
        var threaded = model.Forward(batch).LastHiddenState;
        using (new ParallelismScope(1))
            Assert.Equal(threaded, model.Forward(batch).LastHiddenState);
    }

    [Theory]
    [InlineData(100)] // two full row blocks and a partial one
    [InlineData(7)]   // one partial block, on the calling thread
    public void Int8TailPerRowBlockIsBitIdenticalToTheLayerByLayerComposition(int rows)
    {
        // Int8Linears.ForwardTail chains the attention output, LayerNorm 1, the intermediate product + GELU, the output
        // product and LayerNorm 2 per row block; the specification is the composition of the same int8 products over all
        // rows with the residual + LayerNorm epilogues (EncoderLinears.ForwardTail, which FloatLinears runs). The layer's
        // input is its output buffer, as in the inference pass.
        var config = SmallConfig(hidden: 96, heads: 4, intermediate: 384);
        var model = BertModel.Create(config, new BertHeads(Pooler: false, MaskedLm: false), seed: 8);
        using var linears = new Int8Linears(model.Layout, model.Parameters);
        int h = config.HiddenSize;
        var o = model.Layout.Layers[1];
        var p = model.Parameters;
        LayerActivations State()
        {
            var s = new BertActivations(config, model.Heads, 1, rows, training: false).Layer(0);
            ReferenceGemm.RandomFloats(rows * h, 30).CopyTo(s.Context, 0);
            ReferenceGemm.RandomFloats(rows * h, 31).CopyTo(s.LayerNorm2, 0);
            return s;
        }

        var expected = State();
        float[] input = (float[])expected.LayerNorm2.Clone();
        linears.Forward(1, LinearSlot.AttentionOutput, expected.Residual1, expected.Context, rows, (first, count) =>
            LayerNorm.AddForwardRows(expected.LayerNorm1, expected.Mean1, expected.Rstd1, expected.Residual1, input,
                p.AsSpan(o.AttentionLayerNormWeight, h), p.AsSpan(o.AttentionLayerNormBias, h), first, count, h, config.LayerNormEps));
        linears.Forward(1, LinearSlot.Intermediate, expected.Intermediate, expected.LayerNorm1, rows, epilogue: null, gelu: true);
        linears.Forward(1, LinearSlot.Output, expected.Residual2, expected.Intermediate, rows, (first, count) =>
            LayerNorm.AddForwardRows(expected.LayerNorm2, expected.Mean2, expected.Rstd2, expected.Residual2, expected.LayerNorm1,
                p.AsSpan(o.OutputLayerNormWeight, h), p.AsSpan(o.OutputLayerNormBias, h), first, count, h, config.LayerNormEps));

        var fused = State();
        linears.ForwardTail(1, fused, fused.LayerNorm2, rows);
        Assert.Equal(expected.LayerNorm2.AsSpan(0, rows * h).ToArray(), fused.LayerNorm2.AsSpan(0, rows * h).ToArray());
        Assert.NotEqual(input.AsSpan(0, rows * h).ToArray(), fused.LayerNorm2.AsSpan(0, rows * h).ToArray());
    }

    [Theory]
    [InlineData(InferencePrecision.FullPrecision)]
    [InlineData(InferencePrecision.DynamicInt8)]
    public void PackingPaddedSequencesKeepsEveryValidPosition(InferencePrecision precision)
    {
        // Stated tolerance: valid positions within 1e-5 relative RMS per sequence of the padded computation in full
        // precision (only the softmax's summation differs: the skipped keys contribute exact zeros); within 1e-2 in
        // int8, where such last-bit differences can move an activation across a rounding boundary of the 8-bit grid
        // (one quantization step, ~0.4% of the row's largest value) in the next layer. Padded rows are zero.
        double tolerance = precision == InferencePrecision.FullPrecision ? 1e-5 : 1e-2;
        var model = Ref.LoadModel();
        model.InferencePrecision = precision;
        var batch = RandomBatch(16, 32, model.Config.VocabSize, seed: 6);
        var padded = model.Forward(batch);
        model.PackPaddedSequences = true;
        var packed = model.Forward(batch);
        int t = batch.SeqLen, h = model.Config.HiddenSize;
        for (int b = 0; b < batch.Batch; b++)
        {
            int length = batch.AttentionMask.AsSpan(b * t, t).IndexOf(0);
            if (length < 0) length = t;
            var valid = packed.LastHiddenState.AsSpan(b * t * h, length * h).ToArray();
            double error = RelativeRms(valid, padded.LastHiddenState.AsSpan(b * t * h, length * h).ToArray());
            Assert.True(error <= tolerance, $"sequence {b} (length {length}): {error}");
            Assert.All(packed.LastHiddenState.AsSpan((b * t + length) * h, (t - length) * h).ToArray(), v => Assert.Equal(0f, v));
        }
        Assert.True(RelativeRms(packed.Logits!, padded.Logits!) <= tolerance);
        Assert.True(RelativeRms(packed.PoolerOutput!, padded.PoolerOutput!) <= tolerance);

        // A mask that is not a prefix (a hole) falls back to the padded computation: identical results.
        var holes = (int[])batch.AttentionMask.Clone();
        holes[1] = 0;
        holes[0 * t + 2] = 1;
        var holed = new BertBatch(batch.Batch, t, batch.InputIds, attentionMask: holes);
        model.PackPaddedSequences = false;
        var reference = model.Forward(holed).LastHiddenState;
        model.PackPaddedSequences = true;
        Assert.Equal(reference, model.Forward(holed).LastHiddenState);
    }

    [Theory]
    [InlineData(InferencePrecision.FullPrecision, false)]
    [InlineData(InferencePrecision.FullPrecision, true)]
    [InlineData(InferencePrecision.DynamicInt8, false)]
    [InlineData(InferencePrecision.DynamicInt8, true)]
    public void LogitsFromTheFirstTokensOnlyAreTheLogitsOfTheFullPass(InferencePrecision precision, bool pack)
    {
        // ForwardLogits runs the last layer for each sequence's first token only; Forward(batch).Logits, which runs it
        // for every token, is the specification: the same bits, padded (masked) or packed, on 1 thread and on all, on
        // batches large enough for the row-parallel products (and, in int8, the per-sequence layer pass). Evaluate's
        // classification loss takes the same path: it must equal the loss of the full pass's logits.
        // Hidden 64: the last layer's keys/values and queries as separate channel blocks; hidden 48 (not a multiple of
        // the 32-channel tiles): every query computed.
        foreach (var (hidden, batchSize, seqLen, seed) in new[] { (64, 5, 9, 22), (64, 40, 100, 23), (64, 1, 1, 24), (48, 7, 20, 25) })
        {
            var config = SmallConfig(hidden: hidden, heads: 2, intermediate: 4 * hidden);
            var model = BertModel.Create(config, BertHeads.Classification(3), seed: 21);
            model.InferencePrecision = precision;
            model.PackPaddedSequences = pack;
            var batch = RandomBatch(batchSize, seqLen, config.VocabSize, seed);
            foreach (int threads in new[] { -1, 1 })
            {
                using var scope = new ParallelismScope(threads);
                var expected = model.Forward(batch).Logits!;
                Assert.Equal(expected, model.ForwardLogits(batch));
                int[] labels = [.. Enumerable.Range(0, batchSize).Select(i => i % 3)];
                var labelled = new BertBatch(batchSize, seqLen, batch.InputIds, attentionMask: batch.AttentionMask) { ClassLabels = labels };
                double loss = 0;
                for (int b = 0; b < batchSize; b++)
                {
                    var row = expected.AsSpan(b * 3, 3).ToArray().Select(v => (double)v).ToArray();
                    double max = row.Max();
                    loss += Math.Log(row.Sum(v => Math.Exp(v - max))) + max - row[labels[b]];
                }
                float evaluated = model.Evaluate(labelled).Classification;
                Assert.True(Math.Abs(loss / batchSize - evaluated) <= 1e-5 * Math.Max(1, Math.Abs(loss / batchSize)), $"loss {evaluated} against {loss / batchSize}");
            }
        }
    }

    [Fact]
    public void LogitsOfAModelWithoutAClassifierAreRefusedWithTheFix()
    {
        var model = BertModel.Create(SmallConfig(hidden: 32, heads: 2, intermediate: 64), BertHeads.Pretraining, seed: 1);
        var error = Assert.Throws<InvalidOperationException>(() => model.ForwardLogits(RandomBatch(2, 4, 500, seed: 1)));
        Assert.Contains("BertHeads.Classification", error.Message);
    }

    /// <summary>The tiny preset (2 layers) at another width, with a 500-token vocabulary: random models for the fused passes.</summary>
    private static BertConfig SmallConfig(int hidden, int heads, int intermediate)
    {
        var config = BertConfig.FromPreset("tiny");
        config.HiddenSize = hidden;
        config.NumAttentionHeads = heads;
        config.IntermediateSize = intermediate;
        config.VocabSize = 500;
        return config;
    }

    private static BertBatch RandomBatch(int batch, int seqLen, int vocab, int seed)
    {
        var rng = new Random(seed);
        var ids = new int[batch * seqLen];
        var mask = new int[batch * seqLen];
        for (int b = 0; b < batch; b++)
        {
            int length = rng.Next(1, seqLen + 1);
            for (int t = 0; t < seqLen; t++)
            {
                ids[b * seqLen + t] = t < length ? rng.Next(1, vocab) : 0;
                mask[b * seqLen + t] = t < length ? 1 : 0;
            }
        }
        return new BertBatch(batch, seqLen, ids, attentionMask: mask);
    }

    private static double RelativeRms(float[] actual, float[] expected)
    {
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++) { num += Math.Pow(actual[i] - expected[i], 2); den += Math.Pow(expected[i], 2); }
        return Math.Sqrt(num / den);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
