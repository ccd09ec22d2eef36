using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;
using Onnx;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.Export;

/// <summary>What the exporter writes: inputs, outputs, operators, opsets, weights, the length limit.</summary>
public sealed class ExportedGraphTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (OnnxExportResult Result, ModelProto Model) Export(string name, OnnxExportOptions options)
    {
        var result = OnnxExporter.Export(Fixtures.Path("model"), _dir.File(name), options);
        return (result, ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.ModelPath)));
    }

    private static string[] Dims(ValueInfoProto value) =>
        [.. value.Type.TensorType.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public void PlainGraphHasHuggingFaceNamesDynamicAxesAndOnlyStandardOperators()
    {
        var (result, model) = Export("classifier.onnx", new OnnxExportOptions { Task = OnnxModelTask.Classifier });
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], model.Graph.Input.Select(i => i.Name));
        Assert.All(model.Graph.Input, i =>
        {
            Assert.Equal((int)TensorProto.Types.DataType.Int64, i.Type.TensorType.ElemType);
            Assert.Equal(["batch_size", "sequence_length"], Dims(i));
        });
        Assert.Equal(["last_hidden_state", "pooler_output", "logits", "probabilities"], model.Graph.Output.Select(o => o.Name));
        Assert.Equal(["batch_size", "sequence_length", "64"], Dims(model.Graph.Output[0]));
        Assert.Equal(["batch_size", "3"], Dims(model.Graph.Output[2]));
        Assert.Equal(["batch_size", "3"], Dims(model.Graph.Output[3]));
        Assert.Equal(result.Outputs, model.Graph.Output.Select(o => o.Name));

        Assert.All(model.Graph.Node, n => Assert.Equal("", n.Domain));
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal(("", 17L), (opset.Domain, opset.Version));
        Assert.Equal(8, model.IrVersion);
        var ops = model.Graph.Node.Select(n => n.OpType).ToHashSet();
        Assert.Contains("LayerNormalization", ops);
        Assert.Contains("Erf", ops); // exact GELU, not the tanh approximation
        // Every LayerNorm carries the config's epsilon (1e-12), not ONNX's 1e-5 default.
        Assert.All(model.Graph.Node.Where(n => n.OpType == "LayerNormalization"),
            n => Assert.Equal(1e-12f, n.Attribute.Single(a => a.Name == "epsilon").F));
        // The mask is additive with float32's minimum, as Hugging Face's get_extended_attention_mask.
        Assert.Contains(model.Graph.Initializer, t => t.FloatData.Count == 1 && t.FloatData[0] == float.MinValue);
    }

    [Fact]
    public void LayerNormBeforeOpset17IsDecomposedAndTheIrVersionFollowsTheOpset()
    {
        var (_, model13) = Export("o13.onnx", new OnnxExportOptions { Opset = 13 });
        Assert.DoesNotContain(model13.Graph.Node, n => n.OpType == "LayerNormalization");
        Assert.Contains(model13.Graph.Node, n => n.OpType == "ReduceMean");
        Assert.Equal(7, model13.IrVersion);
        var (_, model23) = Export("o23.onnx", new OnnxExportOptions { Opset = 23 });
        Assert.Equal(11, model23.IrVersion);
        Assert.Equal(23, model23.OpsetImport.Single().Version);
    }

    [Fact]
    public void FusedGraphUsesOnnxRuntimeContribOperatorsAndAgreesWithThePlainGraph()
    {
        var (fusedResult, fused) = Export("fused.onnx", new OnnxExportOptions { Task = OnnxModelTask.Classifier, Fused = true });
        var ops = fused.Graph.Node.Select(n => (n.Domain, n.OpType)).ToHashSet();
        foreach (string op in new[] { "EmbedLayerNormalization", "Attention", "SkipLayerNormalization", "BiasGelu" })
            Assert.Contains(("com.microsoft", op), ops);
        Assert.DoesNotContain(fused.Graph.Node, n => n.OpType == "Erf");
        // The only Softmax left is the classifier's probabilities output (attention's is inside Attention).
        Assert.Equal(["probabilities"], fused.Graph.Node.Where(n => n.OpType == "Softmax").SelectMany(n => n.Output));
        Assert.Equal(2, fused.Graph.Node.Count(n => n.OpType == "Attention"));
        Assert.Contains(fused.OpsetImport, o => o.Domain == "com.microsoft" && o.Version == 1);

        var plainResult = OnnxExporter.Export(Fixtures.Path("model"), _dir.File("plain.onnx"), new OnnxExportOptions { Task = OnnxModelTask.Classifier });
        using var a = OnnxBertSession.Load(fusedResult.ModelPath);
        using var b = OnnxBertSession.Load(plainResult.ModelPath);
        Assert.True(a.Info.Fused);
        Assert.False(b.Info.Fused);
        var batch = Batches.MixedLengths(seed: 5);
        var x = a.Forward(batch);
        var y = b.Forward(batch);
        TensorAssert.ClosePresent(x.LastHiddenState, y.LastHiddenState, 1e-5, "last_hidden_state");
        TensorAssert.ClosePresent(x.PoolerOutput, y.PoolerOutput, 1e-5, "pooler_output");
        TensorAssert.ClosePresent(x.Logits, y.Logits, 1e-5, "logits");
    }

    [Fact]
    public void WeightsAreStoredOnceAndTheTiedDecoderIsNotDuplicated()
    {
        var (result, model) = Export("mlm.onnx", new OnnxExportOptions { Task = OnnxModelTask.FillMask });
        var managed = BertModel.Load(Fixtures.Path("model"));
        var large = model.Graph.Initializer.Where(t => t.RawData.Length > 0).ToList();
        // Every weight of the encoder and MLM head once; nothing else (no pooler, no classifier, no copy of the table).
        long expected = managed.Layout.Slices
            .Where(s => !s.Name.StartsWith("bert.pooler.", StringComparison.Ordinal) && !s.Name.StartsWith("classifier.", StringComparison.Ordinal))
            .Sum(s => (long)s.Length * sizeof(float));
        Assert.Equal(expected, result.WeightBytes);
        Assert.Equal(expected, large.Sum(t => (long)t.RawData.Length));
        Assert.Single(large, t => t.Dims.SequenceEqual([120L, 64L]));
        var gemm = model.Graph.Node.Single(n => n.OpType == "Gemm");
        Assert.Equal("bert.embeddings.word_embeddings.weight", gemm.Input[1]);
        Assert.Equal(1, gemm.Attribute.Single(a => a.Name == "transB").I);
    }

    [Fact]
    public void MaxSequenceLengthKeepsThatManyPositionsAndTheSessionRefusesLongerInput()
    {
        var (result, model) = Export("short.onnx", new OnnxExportOptions { Task = OnnxModelTask.Encoder, MaxSequenceLength = 16 });
        var positions = model.Graph.Initializer.Single(t => t.Name == "bert.embeddings.position_embeddings.weight");
        Assert.Equal([16L, 64L], positions.Dims);
        using var session = OnnxBertSession.Load(result.ModelPath);
        Assert.Equal(16, session.Info.MaxSequenceLength);

        var managed = BertModel.Load(Fixtures.Path("model"));
        var fits = BertBatch.Pad([Enumerable.Range(5, 16).ToArray(), Enumerable.Range(40, 3).ToArray()]);
        TensorAssert.ClosePresent(session.Forward(fits).LastHiddenState, managed.Forward(fits).LastHiddenState, 1e-4, "16 tokens");

        var tooLong = BertBatch.Pad([Enumerable.Range(5, 17).ToArray()]);
        var error = Assert.Throws<ArgumentException>(() => session.Forward(tooLong));
        Assert.Contains("length 17", error.Message, StringComparison.Ordinal);
        Assert.Contains("maximum of 16", error.Message, StringComparison.Ordinal);
        Assert.Contains(result.ModelPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("--max-sequence-length", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalDataHoldsTheWeightsBesideASmallGraphAndGivesIdenticalOutputs()
    {
        var (external, model) = Export("external.onnx", new OnnxExportOptions { Task = OnnxModelTask.Classifier, ExternalData = true });
        Assert.Equal(external.ModelPath + ".data", external.ExternalDataPath);
        Assert.True(new FileInfo(external.ModelPath).Length < 32_000, "the graph file should hold no large weights");
        // Tensors of 1 KB and more live in the data file (biases and LayerNorm weights of hidden 64 stay inline).
        var outside = model.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External).ToList();
        Assert.True(outside.Count >= 2 * 6 + 3, $"{outside.Count} tensors written outside");
        long dataLength = new FileInfo(external.ExternalDataPath!).Length;
        Assert.All(outside, t => Assert.True(long.Parse(t.ExternalData[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(t.ExternalData[2].Value, System.Globalization.CultureInfo.InvariantCulture) <= dataLength, t.Name));
        var table = model.Graph.Initializer.Single(t => t.Name == "bert.embeddings.word_embeddings.weight");
        Assert.Equal(TensorProto.Types.DataLocation.External, table.DataLocation);
        Assert.Equal(["location", "offset", "length"], table.ExternalData.Select(e => e.Key));
        Assert.Equal("external.onnx.data", table.ExternalData[0].Value);

        var inline = OnnxExporter.Export(Fixtures.Path("model"), _dir.File("inline.onnx"), new OnnxExportOptions { Task = OnnxModelTask.Classifier });
        Assert.Null(inline.ExternalDataPath);
        using var a = OnnxBertSession.Load(external.ModelPath);
        using var b = OnnxBertSession.Load(inline.ModelPath);
        var batch = Batches.MixedLengths();
        Assert.Equal(b.Forward(batch).Logits, a.Forward(batch).Logits);
    }

    [Fact]
    public void ALoadedModelExportsWithoutItsDirectory()
    {
        var model = BertModel.Create(new BertConfig { VocabSize = 50, HiddenSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 48, MaxPositionEmbeddings = 20 },
            BertHeads.Classification(4), seed: 3);
        var result = OnnxExporter.Export(model, _dir.File("created.onnx"));
        Assert.Equal(OnnxModelTask.Classifier, result.Task);
        Assert.Null(result.VocabularyPath);
        using var session = OnnxBertSession.Load(result.ModelPath);
        Assert.Equal(["LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3"], session.Info.Labels);
        int[] first = [1, 7, 9, 2], second = [1, 3];
        var batch = BertBatch.Pad([first, second]);
        var expected = model.Forward(batch);
        var actual = session.Forward(batch);
        TensorAssert.ClosePresent(actual.Logits, expected.Logits, 1e-4, "logits");
        TensorAssert.ClosePresent(actual.LastHiddenState, expected.LastHiddenState, 1e-4, "last_hidden_state");
    }
}
