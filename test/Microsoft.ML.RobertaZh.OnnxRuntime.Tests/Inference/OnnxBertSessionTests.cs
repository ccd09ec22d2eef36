using Google.Protobuf;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;
using Onnx;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.Inference;

/// <summary>The session on graphs from elsewhere, bad batches, devices and concurrent callers.</summary>
public sealed class OnnxBertSessionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Export(string name, OnnxModelTask task = OnnxModelTask.Classifier) =>
        OnnxExporter.Export(Fixtures.Path("model"), _dir.File(name), new OnnxExportOptions { Task = task }).ModelPath;

    // A copy of an export changed by `edit`, as a graph from another exporter would differ.
    private string Edited(string name, Action<ModelProto> edit)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Export(name + ".source.onnx")));
        edit(model);
        string path = _dir.File(name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static void Rename(GraphProto g, string from, string to)
    {
        foreach (var v in g.Input.Concat(g.Output).Where(v => v.Name == from)) v.Name = to;
        foreach (var node in g.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == from) node.Input[i] = to;
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == from) node.Output[i] = to;
        }
    }

    [Fact]
    public void AGraphWithoutOurMetadataIsReadFromItsOutputs()
    {
        string path = Edited("foreign.onnx", m => m.MetadataProps.Clear());
        using var session = OnnxBertSession.Load(path);
        Assert.Equal(OnnxModelTask.Classifier, session.Info.Task);
        Assert.Equal(["LABEL_0", "LABEL_1", "LABEL_2"], session.Info.Labels);
        Assert.Null(session.Info.MaxSequenceLength);
        Assert.Null(session.Info.TokenizerOptions);
        Assert.Null(session.Info.Config);
        var batch = Batches.MixedLengths();
        TensorAssert.ClosePresent(session.Forward(batch).Logits, BertModel.Load(Fixtures.Path("model")).Forward(batch).Logits, 1e-4, "logits");
    }

    [Theory]
    [InlineData("attention_mask", "mask", "the input 'attention_mask' is missing", "mask int64[batch_size, sequence_length]")]
    [InlineData("last_hidden_state", "hidden_states", "the output 'last_hidden_state' is missing", "hidden_states float[batch_size, sequence_length, 64]")]
    public void MissingInputsOrOutputsAreNamedWithWhatTheGraphHas(string from, string to, string problem, string found)
    {
        string path = Edited($"renamed-{from}.onnx", m => Rename(m.Graph, from, to));
        var e = Assert.Throws<InvalidDataException>(() => OnnxBertSession.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Contains(found, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InputsOfTheWrongTypeOrUnknownInputsAreRefused()
    {
        string int32 = Edited("int32.onnx", m => m.Graph.Input[0].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Int32);
        var e1 = Assert.Throws<InvalidDataException>(() => OnnxBertSession.Load(int32));
        Assert.Contains("'input_ids' is int32[batch_size, sequence_length], not int64[batch, sequence]", e1.Message, StringComparison.Ordinal);

        string extra = Edited("extra.onnx", m =>
        {
            var positions = m.Graph.Input[0].Clone();
            positions.Name = "position_ids";
            m.Graph.Input.Add(positions);
        });
        var e2 = Assert.Throws<InvalidDataException>(() => OnnxBertSession.Load(extra));
        Assert.Contains("'position_ids' is not one this session feeds", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetadataThatContradictsTheGraphOrCannotBeReadIsReported()
    {
        string wrongTask = Edited("task.onnx", m => m.MetadataProps.Single(p => p.Key == "task").Value = "fill-mask");
        var e1 = Assert.Throws<InvalidDataException>(() => OnnxBertSession.Load(wrongTask));
        Assert.Contains("the metadata says task 'fill-mask' but the outputs are those of 'classifier'", e1.Message, StringComparison.Ordinal);

        string badLabels = Edited("labels.onnx", m => m.MetadataProps.Single(p => p.Key == "labels").Value = "negative,positive");
        var e2 = Assert.Throws<InvalidDataException>(() => OnnxBertSession.Load(badLabels));
        Assert.Contains("metadata 'labels' is not a JSON array", e2.Message, StringComparison.Ordinal);
        Assert.Contains(badLabels, e2.Message, StringComparison.Ordinal);

        string fewLabels = Edited("few.onnx", m => m.MetadataProps.Single(p => p.Key == "labels").Value = "[\"a\",\"b\"]");
        Assert.Contains("names 2 classes but the logits have 3", Assert.Throws<InvalidDataException>(() => OnnxBertSession.Load(fewLabels)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FilesThatAreNotOnnxModelsAreReported()
    {
        string garbage = _dir.File("garbage.onnx");
        File.WriteAllText(garbage, "this is not a protobuf");
        var e = Assert.Throws<InvalidDataException>(() => OnnxBertSession.Load(garbage));
        Assert.Contains(garbage, e.Message, StringComparison.Ordinal);
        Assert.Contains("ONNX Runtime cannot load it", e.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => OnnxBertSession.Load(_dir.File("absent.onnx")));
    }

    [Fact]
    public void BatchesOutsideTheModelsTablesAreRefusedBeforeOnnxRuntimeSeesThem()
    {
        using var session = OnnxBertSession.Load(Export("checks.onnx"));
        int[] ids = [1, 2, 120];
        var e1 = Assert.Throws<ArgumentException>(() => session.Forward(BertBatch.Pad([ids])));
        Assert.Contains("position 2: input id 120 is outside the vocabulary (size 120)", e1.Message, StringComparison.Ordinal);
        int[] ok = [1, 2, 3], types = [0, 1, 2], mask = [1, 1, 2];
        var e2 = Assert.Throws<ArgumentException>(() => session.Forward(BertBatch.Pad([ok], [types])));
        Assert.Contains("token type id 2", e2.Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<ArgumentException>(() => session.Forward(BertBatch.Pad([ok], attentionMasks: [mask])));
        Assert.Contains("attention mask value 2", e3.Message, StringComparison.Ordinal);
        var e4 = Assert.Throws<ArgumentException>(() => session.Forward(BertBatch.Pad([Enumerable.Range(1, 33).ToArray()])));
        Assert.Contains("maximum of 32", e4.Message, StringComparison.Ordinal);
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Forward(BertBatch.Pad([ok])));
    }

    [Fact]
    public void ConcurrentCallersShareOneSessionAndGetTheSequentialResults()
    {
        using var session = OnnxBertSession.Load(Export("threads.onnx"), new OnnxSessionOptions { IntraOpThreads = 1 });
        var batches = Enumerable.Range(0, 16).Select(i => Batches.MixedLengths(seed: i)).ToArray();
        var sequential = batches.Select(b => session.Forward(b)).ToArray();
        var concurrent = new BertOutput[batches.Length];
        Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = session.Forward(batches[i]));
        for (int i = 0; i < batches.Length; i++)
        {
            Assert.Equal(sequential[i].Logits, concurrent[i].Logits);
            Assert.Equal(sequential[i].LastHiddenState, concurrent[i].LastHiddenState);
        }
    }

    [Fact]
    public void ResultsDoNotDependOnHowSequencesAreBatched()
    {
        using var session = OnnxBertSession.Load(Export("batching.onnx"));
        var batch = Batches.MixedLengths();
        var together = session.Forward(batch);
        for (int b = 0; b < batch.Batch; b++)
        {
            int length = batch.AttentionMask.Skip(b * batch.SeqLen).Take(batch.SeqLen).Sum();
            int[] ids = [.. batch.InputIds.Skip(b * batch.SeqLen).Take(length)];
            int[] types = [.. batch.TokenTypeIds.Skip(b * batch.SeqLen).Take(length)];
            var alone = session.Forward(BertBatch.Pad([ids], [types]));
            TensorAssert.ClosePresent(alone.Logits, together.Logits![(b * 3)..(b * 3 + 3)], 1e-5, $"sequence {b}");
        }
    }

    [Fact]
    public void CudaWithoutTheGpuPackageSaysWhichPackageToAdd()
    {
        string path = Export("cuda.onnx");
        // The CPU package is referenced here (no GPU on these machines): asking for CUDA must fail clearly.
        var e = Assert.Throws<InvalidOperationException>(() => OnnxBertSession.Load(path, new OnnxSessionOptions { Device = "cuda:1" }));
        Assert.Contains("CUDAExecutionProvider", e.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", e.Message, StringComparison.Ordinal);
        Assert.Contains("cuda:1", e.Message, StringComparison.Ordinal);
        Assert.Contains("CPUExecutionProvider", e.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => OnnxBertSession.Load(path, new OnnxSessionOptions { Device = "tpu" }));
        Assert.Contains("use cpu, cuda or cuda:N", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SessionOptionsReachOnnxRuntime()
    {
        string path = Export("options.onnx");
        bool configured = false;
        using var session = OnnxBertSession.Load(path, new OnnxSessionOptions
        {
            IntraOpThreads = 2, InterOpThreads = 1, Device = "CPU",
            GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC,
            ExecutionMode = Microsoft.ML.OnnxRuntime.ExecutionMode.ORT_PARALLEL,
            Configure = o =>
            {
                Assert.Equal(2, o.IntraOpNumThreads);
                Assert.Equal(Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC, o.GraphOptimizationLevel);
                configured = true;
            },
        });
        Assert.True(configured);
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxBertSession.Load(path, new OnnxSessionOptions { IntraOpThreads = -1 }));
    }
}
