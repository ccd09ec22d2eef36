using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Where and how a loaded transformer runs its forward passes (<see cref="RobertaClassifierTransformer.Load(IHostEnvironment, string, RobertaInferenceOptions?)"/>,
/// <see cref="RobertaEncoderTransformer.Load(IHostEnvironment, string, RobertaInferenceOptions?)"/>,
/// <c>LoadWithRoberta</c>): the engine and device, which are the machine's and never saved, and the arithmetic, which
/// a saved model remembers (null here keeps what it was saved with).
/// <para>
/// Device precedence (as ML.NET's own TorchSharp trainers and <c>ApplyOnnxModel</c> read MLContext): an explicit
/// <see cref="Device"/> wins and MLContext is not consulted; otherwise <c>MLContext.GpuDeviceId</c> = N asks for
/// <c>cuda:N</c>, falling back to the CPU when CUDA is unusable only if <c>MLContext.FallbackToCpu</c> is set (else the
/// load fails at once, naming the package to add); otherwise the CPU. <see cref="FallbackToCpu"/>, when set, overrides
/// MLContext's.
/// </para>
/// </summary>
public sealed record RobertaInferenceOptions
{
    /// <summary>The engine: <see cref="EngineKind.Managed"/> (the default), <see cref="EngineKind.TorchSharp"/> or <see cref="EngineKind.OnnxRuntime"/> (each needs its assembly).</summary>
    public EngineKind Engine { get; init; } = EngineKind.Managed;

    /// <summary><c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>; null (the default) takes MLContext's <c>GpuDeviceId</c>, else the CPU.</summary>
    public string? Device { get; init; }

    /// <summary>Run on the CPU when the CUDA device cannot be used; null (the default) takes MLContext's <c>FallbackToCpu</c> when the device comes from MLContext, else false.</summary>
    public bool? FallbackToCpu { get; init; }

    /// <summary>Full precision or dynamic int8 (managed engine only); null (the default) keeps the saved model's setting (full precision if it has none).</summary>
    public InferencePrecision? InferencePrecision { get; init; }

    /// <summary>
    /// Skip padded positions (managed engine: each row bit for bit as if scored alone; false gives the padded computation,
    /// within 1e-5 relative); null (the default) keeps the saved model's setting (on if it has none).
    /// </summary>
    public bool? PackPaddedSequences { get; init; }
}
