namespace Microsoft.ML.RobertaZh.Engines;

/// <summary>Which implementation runs the encoder.</summary>
public enum EngineKind
{
    /// <summary>
    /// The built-in managed engine (SIMD kernels, explicit backward, AdamW): no native dependency, the smallest memory,
    /// CPU only. The default.
    /// </summary>
    Managed = 0,

    /// <summary>
    /// libtorch through TorchSharp, in the package <c>Microsoft.ML.RobertaZh.TorchSharp</c> plus a libtorch runtime package
    /// (<c>libtorch-cpu-linux-x64</c> / <c>TorchSharp-cpu</c>, or a CUDA build for <c>cuda</c> devices). Trains and infers.
    /// </summary>
    TorchSharp = 1,

    /// <summary>ONNX Runtime, in the package <c>Microsoft.ML.RobertaZh.OnnxRuntime</c>. Inference only.</summary>
    OnnxRuntime = 2,
}
