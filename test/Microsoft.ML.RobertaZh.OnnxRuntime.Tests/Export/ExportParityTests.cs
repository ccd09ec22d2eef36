using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;
using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.Export;

/// <summary>
/// The exported graphs run by ONNX Runtime against the managed engine (and PyTorch's reference outputs) on the same
/// weights and padded batches: every output within 1e-4 relative error, as the managed engine is held to PyTorch.
/// </summary>
public sealed class ExportParityTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly TempDirectory _dir = new();
    private static readonly BertModel Managed = BertModel.Load(Fixtures.Path("model"));

    public void Dispose() => _dir.Dispose();

    private OnnxBertSession Export(OnnxModelTask task, bool fused = false, int opset = 17, GraphOptimizationLevelChoice level = GraphOptimizationLevelChoice.All)
    {
        string path = _dir.File($"{task}-{fused}-{opset}.onnx");
        OnnxExporter.Export(Fixtures.Path("model"), path, new OnnxExportOptions { Task = task, Fused = fused, Opset = opset });
        return OnnxBertSession.Load(path, new OnnxSessionOptions
        {
            IntraOpThreads = 1,
            GraphOptimizationLevel = level == GraphOptimizationLevelChoice.All
                ? Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL
                : Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
        });
    }

    public enum GraphOptimizationLevelChoice { All, None }

    public static TheoryData<OnnxModelTask, bool> Variants() => new()
    {
        { OnnxModelTask.Encoder, false }, { OnnxModelTask.Classifier, false }, { OnnxModelTask.FillMask, false },
        { OnnxModelTask.Encoder, true }, { OnnxModelTask.Classifier, true }, { OnnxModelTask.FillMask, true },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void MatchesTheManagedEngineOnMixedLengthsWithPadding(OnnxModelTask task, bool fused)
    {
        using var session = Export(task, fused);
        var batch = Batches.MixedLengths();
        var expected = Managed.Forward(batch, maskedLmLogProbabilities: true);
        var actual = session.Forward(batch, maskedLmLogProbabilities: true);
        AssertSame(task, expected, actual);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MatchesPyTorchOnTheReferenceBatch(OnnxModelTask task, bool fused)
    {
        using var session = Export(task, fused);
        var actual = session.Forward(Batches.ReferenceBatch(), maskedLmLogProbabilities: true);
        var r = Batches.Reference;
        TensorAssert.ClosePresent(actual.LastHiddenState, r["last_hidden_state"].Data, Tolerance, "last_hidden_state");
        if (task != OnnxModelTask.FillMask) TensorAssert.ClosePresent(actual.PoolerOutput, r["pooler_output"].Data, Tolerance, "pooler_output");
        if (task == OnnxModelTask.Classifier) TensorAssert.ClosePresent(actual.Logits, r["logits"].Data, Tolerance, "logits");
        if (task == OnnxModelTask.FillMask) TensorAssert.ClosePresent(actual.MaskedLmLogProbabilities, r["mlm_log_probs"].Data, Tolerance, "mlm_log_probs");
    }

    [Theory]
    [InlineData(13)]
    [InlineData(16)]
    [InlineData(18)]
    [InlineData(23)]
    public void EveryOpsetGivesTheSameOutputs(int opset)
    {
        using var session = Export(OnnxModelTask.FillMask, opset: opset, level: GraphOptimizationLevelChoice.None);
        var batch = Batches.MixedLengths(seed: opset);
        AssertSame(OnnxModelTask.FillMask, Managed.Forward(batch, maskedLmLogProbabilities: true), session.Forward(batch, maskedLmLogProbabilities: true));
    }

    private static void AssertSame(OnnxModelTask task, BertOutput expected, BertOutput actual)
    {
        Assert.Equal(expected.Batch, actual.Batch);
        Assert.Equal(expected.SeqLen, actual.SeqLen);
        TensorAssert.ClosePresent(actual.LastHiddenState, expected.LastHiddenState, Tolerance, "last_hidden_state");
        if (task == OnnxModelTask.FillMask)
        {
            Assert.Null(actual.PoolerOutput);
            Assert.Null(actual.Logits);
            TensorAssert.ClosePresent(actual.MaskedLmLogProbabilities, expected.MaskedLmLogProbabilities, Tolerance, "mlm_log_probs");
            return;
        }
        TensorAssert.ClosePresent(actual.PoolerOutput, expected.PoolerOutput, Tolerance, "pooler_output");
        if (task == OnnxModelTask.Classifier) TensorAssert.ClosePresent(actual.Logits, expected.Logits, Tolerance, "logits");
        else Assert.Null(actual.Logits);
        Assert.Null(actual.MaskedLmLogProbabilities);
    }
}
