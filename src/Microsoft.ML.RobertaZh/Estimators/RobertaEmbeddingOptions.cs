using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Settings of <see cref="RobertaEmbeddingEstimator"/> (<c>mlContext.Transforms.Text.RobertaEmbedding(options)</c>): the
/// columns, the model, pooling and input length, and where and how the forward passes run.
/// </summary>
public sealed class RobertaEmbeddingOptions
{
    /// <summary>The embedding column to add. Default "Features".</summary>
    public string OutputColumnName { get; set; } = "Features";

    /// <summary>The text column to embed. Default "Text".</summary>
    public string InputColumnName { get; set; } = "Text";

    /// <summary>A Hugging Face, UER-py or own BERT/RoBERTa model directory with vocab.txt. Required.</summary>
    public string? ModelPath { get; set; }

    /// <summary>How token states become one vector. Default [CLS].</summary>
    public EmbeddingPooling Pooling { get; set; } = EmbeddingPooling.Cls;

    /// <summary>Tokens per text, special tokens included (longer texts are truncated). Default 128.</summary>
    public int MaxSequenceLength { get; set; } = 128;

    /// <summary>Texts per forward pass. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// The engine: <see cref="EngineKind.Managed"/> (the default), <see cref="EngineKind.TorchSharp"/> or
    /// <see cref="EngineKind.OnnxRuntime"/> (each of the last two needs its assembly: Microsoft.ML.RobertaZh.TorchSharp,
    /// Microsoft.ML.RobertaZh.OnnxRuntime).
    /// </summary>
    public EngineKind Engine { get; set; } = EngineKind.Managed;

    /// <summary><c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>; null (the default) follows MLContext's <c>GpuDeviceId</c> (else the CPU). See <see cref="RobertaInferenceOptions"/> for the precedence.</summary>
    public string? Device { get; set; }

    /// <summary>Run on the CPU when the CUDA device cannot be used; null (the default) takes MLContext's <c>FallbackToCpu</c> when the device comes from MLContext, else false.</summary>
    public bool? FallbackToCpu { get; set; }

    /// <summary>Full precision (the default) or the managed engine's opt-in dynamic int8.</summary>
    public InferencePrecision InferencePrecision { get; set; } = InferencePrecision.FullPrecision;

    /// <summary>
    /// Skip padded positions (managed engine). Default true: each text's embedding is bit for bit that of embedding it
    /// alone, whatever its batch, and batches of mixed lengths run faster; false gives the padded computation (within 1e-5
    /// relative).
    /// </summary>
    public bool PackPaddedSequences { get; set; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting when a value is invalid.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(OutputColumnName, nameof(OutputColumnName));
        ArgumentException.ThrowIfNullOrEmpty(InputColumnName, nameof(InputColumnName));
        ArgumentException.ThrowIfNullOrEmpty(ModelPath, nameof(ModelPath));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSequenceLength, 4, nameof(MaxSequenceLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        if (!Enum.IsDefined(Engine)) throw new ArgumentOutOfRangeException(nameof(Engine), Engine, "must be Managed, TorchSharp or OnnxRuntime.");
        if (!Enum.IsDefined(InferencePrecision)) throw new ArgumentOutOfRangeException(nameof(InferencePrecision), InferencePrecision, "must be FullPrecision or DynamicInt8.");
        if (Device is not null) new EngineOptions { Device = Device }.Validate();
    }
}
