using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Inference;

/// <summary>How <see cref="OnnxBertSession"/> creates its ONNX Runtime session. The defaults run on the CPU with all
/// graph optimizations and ONNX Runtime's own thread counts.</summary>
public sealed class OnnxSessionOptions
{
    /// <summary>
    /// Where to run: <c>cpu</c> (default), <c>cuda</c> or <c>cuda:N</c>. CUDA needs the application to reference
    /// <c>Microsoft.ML.OnnxRuntime.Gpu</c> (same version) in place of <c>Microsoft.ML.OnnxRuntime</c>, with CUDA and
    /// cuDNN installed; without it, loading fails with a message saying so. (Not tested here: these machines have no GPU.)
    /// </summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Threads one operator may use (ONNX Runtime's intra-op pool); 0 lets ONNX Runtime choose (the physical cores).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads running independent operators in parallel (only with <see cref="ExecutionMode.ORT_PARALLEL"/>); 0 lets ONNX Runtime choose.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>ONNX Runtime's graph optimizations (constant folding, fusions such as attention and LayerNorm); default all.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Sequential (default) or parallel execution of independent operators.</summary>
    public ExecutionMode ExecutionMode { get; init; } = ExecutionMode.ORT_SEQUENTIAL;

    /// <summary>Called last on ONNX Runtime's <see cref="SessionOptions"/>, for any setting not listed here (another execution provider, profiling, ...).</summary>
    public Action<SessionOptions>? Configure { get; init; }
}
