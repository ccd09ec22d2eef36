using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

/// <summary>How <see cref="OnnxExporter"/> writes a model. The defaults give a plain graph of standard ONNX operators at
/// opset 17 that any ONNX Runtime (CPU, CUDA, DirectML, web) runs.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>The oldest opset the exporter writes (Softmax over one axis and Unsqueeze with an axes input need 13).</summary>
    public const int MinimumOpset = 13;

    /// <summary>The newest opset the exporter writes (every operator it uses has been checked up to it).</summary>
    public const int MaximumOpset = 23;

    /// <summary>What to export; null exports a classifier when the model has a classification head, else the encoder.</summary>
    public OnnxModelTask? Task { get; init; }

    /// <summary>
    /// ONNX opset of the default domain, <see cref="MinimumOpset"/>..<see cref="MaximumOpset"/>. Default 17, the first with
    /// LayerNormalization; below 17 LayerNorm is written as ReduceMean/Sub/Mul/Sqrt/Div.
    /// </summary>
    public int Opset { get; init; } = 17;

    /// <summary>
    /// The longest sequence the graph accepts (the rows of the position-embedding table it keeps); null for the
    /// model's <c>max_position_embeddings</c>. Recorded in the metadata; <see cref="Inference.OnnxBertSession"/> refuses longer input.
    /// </summary>
    public int? MaxSequenceLength { get; init; }

    /// <summary>
    /// Use ONNX Runtime's fused <c>com.microsoft</c> operators (EmbedLayerNormalization, Attention,
    /// SkipLayerNormalization, BiasGelu with exact erf) instead of the plain graph. Only ONNX Runtime runs such a graph.
    /// </summary>
    public bool Fused { get; init; }

    /// <summary>
    /// Write the weights to <c>FILE.onnx.data</c> beside the graph (ONNX external data) instead of inside it; null does so
    /// only when they would not fit protobuf's 2 GB message limit.
    /// </summary>
    public bool? ExternalData { get; init; }
}
