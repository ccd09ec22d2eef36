using Microsoft.ML.RobertaZh.OnnxRuntime.Metadata;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Export;

/// <summary>What <see cref="OnnxExporter"/> wrote.</summary>
public sealed class OnnxExportResult
{
    /// <summary>The .onnx file.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The external weights file beside it, or null when the weights are inside the .onnx file.</summary>
    public string? ExternalDataPath { get; init; }

    /// <summary>The <c>vocab.txt</c> written beside the .onnx file, or null when no vocabulary was given.</summary>
    public string? VocabularyPath { get; init; }

    /// <summary>The <c>tokenizer_config.json</c> written beside the .onnx file, or null when no tokenizer was given.</summary>
    public string? TokenizerConfigPath { get; init; }

    /// <summary>The exported task.</summary>
    public required OnnxModelTask Task { get; init; }

    /// <summary>The opset of the default ONNX domain.</summary>
    public required int Opset { get; init; }

    /// <summary>Whether ONNX Runtime's fused contrib operators were used.</summary>
    public required bool Fused { get; init; }

    /// <summary>The longest sequence the graph accepts.</summary>
    public required int MaxSequenceLength { get; init; }

    /// <summary>The graph's output names, in order.</summary>
    public required IReadOnlyList<string> Outputs { get; init; }

    /// <summary>Bytes of weights written.</summary>
    public required long WeightBytes { get; init; }

    /// <summary>Things the user should know, such as a pooler left out because the checkpoint had none.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
