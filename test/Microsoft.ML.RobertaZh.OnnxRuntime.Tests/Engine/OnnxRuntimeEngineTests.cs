using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.Engine;

/// <summary>
/// <see cref="EngineKind.OnnxRuntime"/> through the engine abstraction against the managed engine on the fixture model
/// (pooler, masked-LM and 3-class heads): every output of a padded mixed-length batch, chosen masked-LM rows, held-out
/// losses, concurrent callers; engines from .onnx files; training refused; CUDA without the GPU package.
/// </summary>
public sealed class OnnxRuntimeEngineTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private static readonly EngineOptions OnnxCpu = new() { Engine = EngineKind.OnnxRuntime, Threads = 2 };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static BertModel Fixture() => BertModel.Load(Fixtures.Path("model"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OutputsMatchTheManagedEngineOnAPaddedMixedLengthBatch(bool fused)
    {
        var batch = Batches.MixedLengths();
        using var managed = BertEngines.CreateInference(Fixture());
        using var onnx = fused
            ? new OnnxRuntimeEngineFactory { Fused = true, CacheDirectory = _dir.File("cache") }.CreateInference(Fixture(), OnnxCpu)
            : BertEngines.CreateInference(Fixture(), OnnxCpu);
        Assert.Equal(EngineKind.OnnxRuntime, onnx.Kind);
        Assert.Equal("cpu", onnx.Device);
        Assert.Equal(managed.ParameterCount, onnx.ParameterCount);
        Assert.Equal(managed.Layout.Heads, onnx.Layout.Heads);

        int[] all = [.. Enumerable.Range(0, batch.Batch * batch.SeqLen)];
        var expected = managed.Forward(batch, all);
        var actual = onnx.Forward(batch, all);
        TensorAssert.ClosePresent(actual.LastHiddenState, expected.LastHiddenState, Tolerance, "last_hidden_state");
        TensorAssert.ClosePresent(actual.PoolerOutput, expected.PoolerOutput, Tolerance, "pooler_output");
        TensorAssert.ClosePresent(actual.Logits, expected.Logits, Tolerance, "logits");
        TensorAssert.ClosePresent(actual.MaskedLmLogProbabilities, expected.MaskedLmLogProbabilities, Tolerance, "mlm_log_probs");

        // Chosen rows, in the order asked (padding rows and repeats included), are those rows of the full answer.
        int[] some = [40, 3, 159, 3, 0];
        int v = onnx.Layout.Config.VocabSize;
        var subset = onnx.Forward(batch, some).MaskedLmLogProbabilities!;
        Assert.Equal(some.Length * v, subset.Length);
        for (int r = 0; r < some.Length; r++)
            TensorAssert.ClosePresent(subset.AsSpan(r * v, v).ToArray(), expected.MaskedLmLogProbabilities!.AsSpan(some[r] * v, v).ToArray(), Tolerance, $"row {some[r]}");
        Assert.Null(onnx.Forward(batch).MaskedLmLogProbabilities);
        Assert.Throws<ArgumentOutOfRangeException>(() => onnx.Forward(batch, [batch.Batch * batch.SeqLen]));
    }

    [Fact]
    public void MatchesPyTorchOnTheReferenceBatch()
    {
        using var onnx = BertEngines.CreateInference(Fixture(), OnnxCpu);
        var batch = Batches.ReferenceBatch();
        var actual = onnx.Forward(batch, [.. Enumerable.Range(0, batch.Batch * batch.SeqLen)]);
        var r = Batches.Reference;
        TensorAssert.ClosePresent(actual.LastHiddenState, r["last_hidden_state"].Data.ToArray(), Tolerance, "last_hidden_state");
        TensorAssert.ClosePresent(actual.PoolerOutput, r["pooler_output"].Data.ToArray(), Tolerance, "pooler_output");
        TensorAssert.ClosePresent(actual.Logits, r["logits"].Data.ToArray(), Tolerance, "logits");
        TensorAssert.ClosePresent(actual.MaskedLmLogProbabilities, r["mlm_log_probs"].Data.ToArray(), Tolerance, "mlm_log_probs");
    }

    [Fact]
    public void HeldOutLossesMatchTheManagedEngine()
    {
        var source = Batches.MixedLengths(seed: 5);
        var batch = new BertBatch(source.Batch, source.SeqLen, source.InputIds, source.TokenTypeIds, source.AttentionMask)
        {
            MaskedLmLabels = [.. source.InputIds.Select((id, i) => i % 7 == 1 && source.AttentionMask[i] == 1 ? id : -100)],
            ClassLabels = [0, 2, 1, -100, 2],
        };
        using var managed = BertEngines.CreateInference(Fixture());
        using var onnx = BertEngines.CreateInference(Fixture(), OnnxCpu);
        var expected = managed.Evaluate(batch);
        var actual = onnx.Evaluate(batch);
        Assert.Equal(expected.MaskedLmPredictions, actual.MaskedLmPredictions);
        Assert.Equal(expected.MaskedLmCorrect, actual.MaskedLmCorrect);
        Assert.Equal(4, actual.ClassificationExamples);
        TensorAssert.ClosePresent([actual.Total, actual.MaskedLm, actual.Classification], [expected.Total, expected.MaskedLm, expected.Classification], Tolerance, "losses");
    }

    [Fact]
    public void ConcurrentCallersGetTheSameAnswers()
    {
        using var onnx = BertEngines.CreateInference(Fixture(), OnnxCpu);
        var batches = Enumerable.Range(0, 8).Select(i => Batches.MixedLengths(seed: i)).ToArray();
        var serial = batches.Select(b => onnx.Forward(b, [1, 2]).MaskedLmLogProbabilities!).ToArray();
        var parallel = new float[batches.Length][];
        Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = onnx.Forward(batches[i], [1, 2]).MaskedLmLogProbabilities!);
        for (int i = 0; i < batches.Length; i++) Assert.Equal(serial[i], parallel[i]);
    }

    [Fact]
    public void AModelWithoutPoolerOrClassifierRunsAsAnEncoderWithItsMaskedLmHead()
    {
        var config = new BertConfig { VocabSize = 90, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 48, MaxPositionEmbeddings = 24 };
        var model = BertModel.Create(config, new BertHeads(Pooler: false, MaskedLm: true), seed: 4);
        var batch = BertBatch.Pad([[2, 5, 7, 9, 11, 13], [2, 8, 3]], null);
        using var onnx = new OnnxRuntimeEngineFactory { CacheDirectory = _dir.File("cache") }.CreateInference(model, OnnxCpu);
        var expected = new ManagedEngine(model).Forward(batch, [0, 4, 7]);
        var actual = onnx.Forward(batch, [0, 4, 7]);
        Assert.Null(actual.PoolerOutput);
        Assert.Null(actual.Logits);
        TensorAssert.ClosePresent(actual.LastHiddenState, expected.LastHiddenState, Tolerance, "last_hidden_state");
        TensorAssert.ClosePresent(actual.MaskedLmLogProbabilities, expected.MaskedLmLogProbabilities, Tolerance, "mlm_log_probs");
    }

    [Fact]
    public void TrainingIsRefusedWithTheMessage()
    {
        var factory = BertEngines.GetFactory(EngineKind.OnnxRuntime);
        Assert.IsType<OnnxRuntimeEngineFactory>(factory);
        Assert.False(factory.SupportsTraining);
        var e = Assert.Throws<NotSupportedException>(() => BertEngines.CreateTraining(Fixture(), OnnxCpu));
        Assert.Contains("The OnnxRuntime engine runs inference only", e.Message, StringComparison.Ordinal);
        var direct = Assert.Throws<NotSupportedException>(() => factory.CreateTraining(Fixture(), OnnxCpu));
        Assert.Contains("Train with EngineKind.Managed or EngineKind.TorchSharp", direct.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CudaWithoutTheGpuPackageFailsNamingItOrFallsBackWhenAllowed()
    {
        var e = Assert.Throws<EngineUnavailableException>(() => BertEngines.CreateInference(Fixture(), OnnxCpu with { Device = "cuda:1" }));
        Assert.Contains("CUDAExecutionProvider", e.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu 1.32.0", e.Message, StringComparison.Ordinal);
        using var engine = BertEngines.CreateInference(Fixture(), OnnxCpu with { Device = "cuda", FallbackToCpu = true });
        Assert.Equal("cpu", engine.Device);
    }

    [Theory]
    [InlineData(OnnxModelTask.Classifier)]
    [InlineData(OnnxModelTask.FillMask)]
    [InlineData(OnnxModelTask.Encoder)]
    public void AnEngineLoadedFromAnExportedFileMatchesTheManagedEngine(OnnxModelTask task)
    {
        string path = OnnxExporter.Export(Fixtures.Path("model"), _dir.File($"{task}.onnx"), new OnnxExportOptions { Task = task }).ModelPath;
        using var engine = OnnxRuntimeEngine.Load(path, OnnxCpu);
        Assert.Equal(task, engine.Info.Task);
        Assert.Equal(task == OnnxModelTask.Classifier ? 3 : 0, engine.Layout.Heads.NumLabels);
        Assert.Equal(task == OnnxModelTask.FillMask, engine.Layout.Heads.MaskedLm);
        var batch = Batches.MixedLengths(seed: 3);
        int[] rows = [0, 33, 70];
        var expected = new ManagedEngine(Fixture()).Forward(batch, rows);
        var actual = engine.Forward(batch, rows);
        TensorAssert.ClosePresent(actual.LastHiddenState, expected.LastHiddenState, Tolerance, "last_hidden_state");
        if (task == OnnxModelTask.Classifier) TensorAssert.ClosePresent(actual.Logits, expected.Logits, Tolerance, "logits");
        else Assert.Null(actual.Logits);
        if (task == OnnxModelTask.FillMask) TensorAssert.ClosePresent(actual.MaskedLmLogProbabilities, expected.MaskedLmLogProbabilities, Tolerance, "mlm_log_probs");
        else Assert.Null(actual.MaskedLmLogProbabilities);
    }

    [Fact]
    public void AFileWithoutAConfigNeedsConfigJsonBesideIt()
    {
        string path = OnnxExporter.Export(Fixtures.Path("model"), _dir.File("bare/model.onnx"), new OnnxExportOptions { Task = OnnxModelTask.Encoder }).ModelPath;
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        model.MetadataProps.Clear();
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        var e = Assert.Throws<InvalidDataException>(() => OnnxRuntimeEngine.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("config.json", e.Message, StringComparison.Ordinal);

        File.Copy(Path.Combine(Fixtures.Path("model"), "config.json"), _dir.File("bare/config.json"));
        using var engine = OnnxRuntimeEngine.Load(path);
        Assert.Equal(64, engine.Layout.Config.HiddenSize);
        Assert.Equal(EngineKind.OnnxRuntime, engine.Kind);
    }
}
